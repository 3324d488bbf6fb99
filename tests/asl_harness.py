"""Compiled state machines run by moto's real ASL interpreter, their Lambda Tasks served by us.

moto (``mock_aws`` with ``{"stepfunctions": {"execute_state_machine": True}}``) interprets a
definition with the Step Functions parser it ported from LocalStack, and a ``lambda:invoke``
Task calls the Lambda Invoke API like any client, through moto's Lambda backend. That backend
would run the function's code in Docker (``LambdaFunction.invoke``), which these machines do
not have, so ``serving`` replaces exactly that method: for a function registered here it calls
our handler in-process with the event, and answers as the Python Lambda runtime does (the
result as JSON; an uncaught exception as ``{"errorMessage", "errorType"}`` with the
``X-Amz-Function-Error: Unhandled`` header). Everything else (the Invoke API, the function's
existence, the interpreter, its Retry, Catch, Map, Parallel and Wait) is moto's own.
"""

from __future__ import annotations

import io
import json
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
from moto import mock_aws
from moto.awslambda.models import LambdaFunction
from moto.core.config import DefaultConfig

from runtime.engine.asl.contract import RunInput
from runtime.engine.asl.machine import AslMachine, substitute
from runtime.engine.asl.outcome import run_result
from runtime.engine.plan import Plan
from runtime.engine.trace import RunResult

Handler = Callable[[dict[str, Any], Any], Any]

MOTO_STOPPED_BRANCH = (
    "ignore:(?s).*moto/stepfunctions/parser/asl:pytest.PytestUnhandledThreadExceptionWarning"
)
"""A ``filterwarnings`` mark for tests whose Parallel branches may fail. When one fails, moto's
interpreter stops the others, and a stopped branch between two states then raises in its own
thread (``Could not set NextState value when in state ProgramStopped``), after the execution
has failed with the right error. Only moto's interpreter is in such a traceback: our handler's
exceptions become Lambda function errors in ``serving``."""
REGION = "us-east-1"
MOTO_CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}}


@dataclass
class _Context:
    """The parts of a Lambda context object our handlers read."""

    aws_request_id: str
    function_name: str


@contextmanager
def serving(handlers: Mapping[str, Handler]) -> Iterator[None]:
    """Run ``handlers[function name]`` (or ``[name:version]``) for moto's Lambda invocations."""
    original = LambdaFunction.invoke

    def invoke(
        self: LambdaFunction, body: str, request_headers: Any, response_headers: Any
    ) -> bytes:
        # A published version's own handler first (``name:version``), as its code would run.
        handler = handlers.get(f"{self.function_name}:{self.version}") or handlers.get(
            self.function_name
        )
        if handler is None:
            answer = original(self, body, request_headers, response_headers)
            return answer if isinstance(answer, bytes) else answer.encode()
        event = json.loads(body) if body else {}
        context = _Context(str(uuid.uuid4()), self.function_name)
        try:
            result = handler(event, context)
        except Exception as exc:
            response_headers["x-amz-function-error"] = "Unhandled"
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_exception(exc)[-3:],
            }
            return json.dumps(error).encode()
        return json.dumps(result).encode()

    with mock.patch.object(LambdaFunction, "invoke", invoke):
        yield


@dataclass
class Execution:
    """A finished execution as ``DescribeExecution`` (and, for Standard, its history) tell it."""

    name: str
    status: str
    output: str | None
    error: str | None
    cause: str | None
    history: list[dict[str, Any]] = field(default_factory=list)


class LocalStepFunctions:
    """One moto account with the state machines of compiled graphs and their step handlers."""

    def __init__(self) -> None:
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.lam = boto3.client("lambda", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        self.role = iam.create_role(
            RoleName=f"auterity-sfn-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        self.handlers: dict[str, Handler] = {}
        self.last: Execution | None = None

    def deploy(self, machine: AslMachine, handler: Handler, name: str | None = None) -> str:
        """Create the step-handler function and the state machine; return the machine's ARN."""
        name = name or f"{machine.graph_id}-{uuid.uuid4().hex[:8]}"
        function = f"{name}-steps"
        self.lam.create_function(
            FunctionName=function,
            Runtime="python3.11",
            Role=self.role,
            Handler="auterity_entry.states",
            Code={"ZipFile": _empty_zip()},
        )
        self.handlers[function] = handler
        definition = substitute(machine.to_json(), {"StepHandler": function})
        created = self.sfn.create_state_machine(
            name=name, definition=definition, roleArn=self.role, type=machine.workflow.type
        )
        arn: str = created["stateMachineArn"]
        return arn

    def execute(self, arn: str, run: RunInput, *, timeout: float = 60.0) -> Execution:
        """Start one execution (named by the run's id, if it has one) and wait for its end."""
        name = run.id or f"run-{uuid.uuid4().hex}"
        started = self.sfn.start_execution(
            stateMachineArn=arn, name=name, input=run.model_dump_json()
        )
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=started["executionArn"])
            if described["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {name} still running after {timeout:g}s")
            time.sleep(0.01)
        history: list[dict[str, Any]] = []
        if described["status"] != "SUCCEEDED":
            history = self.sfn.get_execution_history(
                executionArn=started["executionArn"], maxResults=1000
            )["events"]
        return Execution(
            name=name,
            status=described["status"],
            output=described.get("output"),
            error=described.get("error"),
            cause=described.get("cause"),
            history=history,
        )

    def run(self, plan: Plan, arn: str, run: RunInput) -> RunResult:
        """Execute and read the execution back as the in-process executor's ``RunResult``.

        ``last`` keeps the execution (a failed one's history says what ran before it failed).
        """
        execution = self.last = self.execute(arn, run)
        return run_result(
            plan,
            run_id=execution.name,
            status=execution.status,  # type: ignore[arg-type]
            output=execution.output,
            error=execution.error,
            cause=execution.cause,
        )


def _empty_zip() -> bytes:
    """The function's code never runs (``serving`` runs the handler), but Lambda wants some."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("auterity_entry.py", "")
    return buffer.getvalue()


@contextmanager
def local_step_functions(
    handlers: dict[str, Handler] | None = None,
) -> Iterator[LocalStepFunctions]:
    """moto with its ASL interpreter on, and our handlers serving its Lambda invocations."""
    with mock_aws(config=MOTO_CONFIG):
        cloud = LocalStepFunctions()
        with serving(cloud.handlers):
            yield cloud


def statuses_from_history(plan: Plan, history: list[dict[str, Any]]) -> dict[str, str]:
    """Top-level nodes' statuses as a (failed) Standard execution's history records them.

    A node the handler ran answered with its record (``TaskSucceeded``: the invoke result, whose
    ``Payload`` names the node and its iteration); one the machine skipped or lost left its
    record in the state a Pass wrote (``<id>``, ``<id>: skip``, ``<id>: lost``).
    """
    found: dict[str, str] = {}
    for event in history:
        if event["type"] == "TaskSucceeded":
            answer = json.loads(event["taskSucceededEventDetails"]["output"])
            record = answer.get("Payload") or {}
            if record.get("node") in plan.steps and not record.get("iteration"):
                found[record["node"]] = record["status"]
        elif event["type"] == "PassStateExited":
            details = event["stateExitedEventDetails"]
            node = _pass_node(plan, details["name"])
            state = json.loads(details["output"])
            if node is not None and state.get("at") is None:
                found[node] = state["state"]["nodes"][node]["status"]
    return found


def _pass_node(plan: Plan, name: str) -> str | None:
    for suffix in ("", ": skip", ": lost"):
        node = name.removesuffix(suffix) if suffix else name
        if (not suffix or name.endswith(suffix)) and node in plan.steps:
            return node
    return None
