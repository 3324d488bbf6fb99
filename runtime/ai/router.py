"""The model router: policy, fallback, one retry budget, spending limits and accounting.

A call is routed through the tenant's policy, falls back across providers, keeps one retry
budget, is refused before it is sent when the monthly budget cannot cover it, and leaves a
usage record for every provider tried.

Retries are the SDKs' (their backoff honours ``Retry-After``); the router only hands each
provider the share of the call's ``max_attempts`` that is left, so SDK retries, fallbacks and a
structured-output repair together never exceed it. Final failures are ``AiError``s, which the
executor does not retry either.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from runtime.ai.config import AiConfig
from runtime.ai.errors import AiError, AllProvidersFailed, BudgetExceeded, ProviderFailure
from runtime.ai.metrics import emit
from runtime.ai.providers import make_provider
from runtime.ai.providers.base import AttemptCounter, Provider
from runtime.ai.routes import Route, plan_routes
from runtime.ai.usage import MICROS, AiCall, UsageLedger, current_month, to_micros
from runtime.core.clock import utc_now
from runtime.core.llm.messages import (
    CallSite,
    LlmReply,
    LlmRequest,
    ProviderReply,
    StreamDone,
    StreamEvent,
    StreamRestart,
    TextDelta,
)
from runtime.core.llm.policy import AiPolicy
from runtime.core.llm.structured import (
    InvalidOutput,
    InvalidSchema,
    ensure_valid_schema,
    parse_structured,
    repair_request,
)


@dataclass(slots=True)
class _Call:
    """The state of one logical call across its routes."""

    request: LlmRequest
    policy: AiPolicy
    site: CallSite
    ledger: UsageLedger
    month: str
    attempts_left: int
    attempts: int = 0
    fallbacks: list[str] = field(default_factory=list)
    unaffordable: list[str] = field(default_factory=list)
    spent_micros: int = 0


class Router:
    def __init__(self, config: AiConfig, providers: Mapping[str, Provider] | None = None) -> None:
        """``providers`` replaces SDK-backed providers by name (an in-process test double)."""
        self.config = config
        given = dict(providers or {})
        self._providers: dict[str, Provider] = {
            p.name: given.get(p.name) or make_provider(p) for p in config.providers
        }

    @property
    def configured(self) -> bool:
        return self.config.configured

    async def aclose(self) -> None:
        """Close the SDK clients this router made on the running event loop."""
        for provider in self._providers.values():
            await provider.aclose()

    async def complete(
        self, request: LlmRequest, *, policy: AiPolicy, site: CallSite, ledger: UsageLedger
    ) -> LlmReply:
        """One answer (streamed from the provider when ``request.stream``, returned whole)."""
        if request.stream and request.json_schema is None:
            async for event in self.stream(request, policy=policy, site=site, ledger=ledger):
                if isinstance(event, StreamDone):
                    return event.reply
            raise AiError("the stream ended without an answer")  # stream() raises first
        if request.json_schema is not None:
            try:
                ensure_valid_schema(request.json_schema)
            except InvalidSchema as exc:
                raise AiError(str(exc)) from None
        call = self._start(request, policy, site, ledger)
        for route in plan_routes(self.config, request, policy):
            if call.attempts_left <= 0:
                break
            reserved = await self._reserve(call, route)
            if reserved is None:
                continue
            started = time.perf_counter()
            with AttemptCounter() as counted:
                try:
                    reply, data = await self._ask(call, route, counted)
                except ProviderFailure as failure:
                    await self._failed(call, route, failure, counted.value, reserved, started)
                    continue
                except BaseException:
                    await self._abandon(call, route, counted.value, reserved, started)
                    raise
            return await self._succeeded(call, route, reply, data, counted.value, reserved, started)
        raise self._final_error(call)

    async def stream(
        self, request: LlmRequest, *, policy: AiPolicy, site: CallSite, ledger: UsageLedger
    ) -> AsyncIterator[StreamEvent]:
        """Text as it arrives, then ``StreamDone`` with the whole reply.

        A ``StreamRestart`` means the provider that was streaming broke off and another one
        takes over: discard the text that came before it.
        """
        if request.json_schema is not None:  # structured answers are checked whole, not streamed
            reply = await self.complete(
                request.model_copy(update={"stream": False}),
                policy=policy,
                site=site,
                ledger=ledger,
            )
            yield TextDelta(reply.text)
            yield StreamDone(reply)
            return
        call = self._start(request, policy, site, ledger)
        for route in plan_routes(self.config, request, policy):
            if call.attempts_left <= 0:
                break
            reserved = await self._reserve(call, route)
            if reserved is None:
                continue
            started = time.perf_counter()
            sent = False
            final: ProviderReply | None = None
            with AttemptCounter() as counted:
                provider = self._providers[route.provider.name]
                retries = min(call.policy.retries_per_provider, call.attempts_left - 1)
                try:
                    async for piece in provider.stream(
                        request,
                        route.model,
                        max_retries=retries,
                        per_attempt_s=call.policy.timeout_seconds,
                    ):
                        if isinstance(piece, str):
                            sent = True
                            yield TextDelta(piece)
                        else:
                            final = piece
                    assert final is not None
                    _check_refusal(final)
                except ProviderFailure as failure:
                    await self._failed(call, route, failure, counted.value, reserved, started)
                    if sent:
                        yield StreamRestart(route.provider.name, route.model, failure.kind)
                    continue
                except BaseException:  # cancelled, timed out, or the consumer stopped reading
                    await self._abandon(call, route, counted.value, reserved, started)
                    raise
            assert final is not None
            reply = await self._succeeded(
                call, route, final, None, counted.value, reserved, started
            )
            yield StreamDone(reply)
            return
        raise self._final_error(call)

    def _start(
        self, request: LlmRequest, policy: AiPolicy, site: CallSite, ledger: UsageLedger
    ) -> _Call:
        return _Call(request, policy, site, ledger, current_month(), policy.max_attempts)

    async def _reserve(self, call: _Call, route: Route) -> int | None:
        """Reserve the route's worst case against the budget: micros reserved, None if refused."""
        budget = call.policy.monthly_budget_usd
        if budget is None:
            return 0
        micros = max(to_micros(route.worst_case_usd), 1)
        granted, total = await call.ledger.reserve(call.month, micros, to_micros(budget))
        if not granted:
            call.spent_micros = total
            call.unaffordable.append(f"{route.label} (up to ${route.worst_case_usd:.4f})")
            return None
        return micros

    async def _ask(
        self, call: _Call, route: Route, counted: AttemptCounter
    ) -> tuple[ProviderReply, object]:
        """One route: the SDK's retries, then for a structured call one repair if needed."""
        provider = self._providers[route.provider.name]
        request = call.request
        retries = min(call.policy.retries_per_provider, call.attempts_left - 1)
        timeout = call.policy.timeout_seconds
        reply = await provider.complete(
            request, route.model, max_retries=retries, per_attempt_s=timeout
        )
        _check_refusal(reply)
        schema = request.json_schema
        if schema is None:
            return reply, None
        try:
            return reply, parse_structured(reply.text, schema)
        except InvalidOutput as exc:
            problem = str(exc)
        if call.attempts_left - max(counted.value, 1) <= 0:
            raise ProviderFailure(
                "invalid_output",
                problem,
                input_tokens=reply.input_tokens,
                output_tokens=reply.output_tokens,
            )
        repaired = await provider.complete(
            repair_request(request, reply.text, problem),
            route.model,
            max_retries=0,
            per_attempt_s=timeout,
        )
        total_in = reply.input_tokens + repaired.input_tokens
        total_out = reply.output_tokens + repaired.output_tokens
        try:
            _check_refusal(repaired)
            data = parse_structured(repaired.text, schema)
        except InvalidOutput as exc:
            raise ProviderFailure(
                "invalid_output",
                f"{exc} (also after one repair attempt)",
                input_tokens=total_in,
                output_tokens=total_out,
            ) from None
        except ProviderFailure as failure:
            failure.input_tokens, failure.output_tokens = total_in, total_out
            raise
        repaired.input_tokens, repaired.output_tokens = total_in, total_out
        return repaired, data

    async def _succeeded(
        self,
        call: _Call,
        route: Route,
        reply: ProviderReply,
        data: object,
        attempts: int,
        reserved: int,
        started: float,
    ) -> LlmReply:
        attempts = max(attempts, 1)
        call.attempts += attempts
        call.attempts_left -= attempts
        latency = (time.perf_counter() - started) * 1000
        cost = route.price.cost(reply.input_tokens, reply.output_tokens)
        await self._account(
            call,
            route,
            "ok",
            None,
            reply.input_tokens,
            reply.output_tokens,
            cost,
            latency,
            attempts,
            reserved,
        )
        return LlmReply(
            text=reply.text,
            data=data,
            provider=route.provider.name,
            model=route.model,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            cost_usd=cost,
            latency_ms=latency,
            attempts=call.attempts,
            fallbacks=call.fallbacks,
        )

    async def _failed(
        self,
        call: _Call,
        route: Route,
        failure: ProviderFailure,
        attempts: int,
        reserved: int,
        started: float,
    ) -> None:
        attempts = max(attempts, 1)
        failure.attempts = attempts
        call.attempts += attempts
        call.attempts_left -= attempts
        cost = route.price.cost(failure.input_tokens, failure.output_tokens)
        latency = (time.perf_counter() - started) * 1000
        await self._account(
            call,
            route,
            failure.kind,
            failure.describe(),
            failure.input_tokens,
            failure.output_tokens,
            cost,
            latency,
            attempts,
            reserved,
        )
        call.fallbacks.append(f"{route.label}: {failure.describe()}")
        if not failure.fallback or not call.request.fallback:
            raise AiError(f"{route.label} failed: {failure.describe()}")

    async def _abandon(
        self, call: _Call, route: Route, attempts: int, reserved: int, started: float
    ) -> None:
        """The caller gave up mid-call: give the reservation back and record the attempt.

        A node timeout or a cancelled run interrupts the call; without this, the worst-case
        reservation would count against the budget for the rest of the month.
        """
        latency = (time.perf_counter() - started) * 1000
        with contextlib.suppress(Exception):
            await self._account(
                call,
                route,
                "timeout",
                "abandoned by the caller",
                0,
                0,
                0.0,
                latency,
                max(attempts, 1),
                reserved,
            )

    async def _account(
        self,
        call: _Call,
        route: Route,
        outcome: str,
        error: str | None,
        input_tokens: int,
        output_tokens: int,
        cost: float,
        latency: float,
        attempts: int,
        reserved: int,
    ) -> None:
        record = AiCall(
            at=utc_now(),
            tenant_id=call.site.tenant_id,
            graph_id=call.site.graph_id,
            run_id=call.site.run_id,
            node_id=call.site.node_id,
            purpose=call.site.purpose,
            provider=route.provider.name,
            model=route.model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost,
            latency_ms=latency,
            attempts=attempts,
            outcome=outcome,
            error=error,
        )
        await call.ledger.adjust(call.month, to_micros(cost) - reserved)
        await call.ledger.record(record)
        emit(record)

    def _final_error(self, call: _Call) -> AiError:
        if call.unaffordable and not call.fallbacks:
            budget = call.policy.monthly_budget_usd or 0.0
            return BudgetExceeded(
                f"the tenant's monthly AI budget is used up: ${call.spent_micros / MICROS:.4f}"
                f" of ${budget:g} spent in {call.month}, and this call could cost"
                f" {', '.join(call.unaffordable)}; no request was sent. Raise the budget in"
                " the tenant's AI settings or wait for next month."
            )
        tried = "; ".join(call.fallbacks) or "no provider was tried"
        extra = f" (over budget: {', '.join(call.unaffordable)})" if call.unaffordable else ""
        return AllProvidersFailed(
            f"every model failed after {call.attempts} attempt(s): {tried}{extra}"
        )


def _check_refusal(reply: ProviderReply) -> None:
    if reply.refusal:
        raise ProviderFailure(
            "refusal",
            f"the model refused: {reply.refusal[:200]}",
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
        )
