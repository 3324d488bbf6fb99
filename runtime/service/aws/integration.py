"""API Gateway in front of a state machine: an AWS service integration, no function between.

Express: ``StartSyncExecution`` on the machine's ``live`` alias; the machine is the endpoint
form (``runtime.engine.asl.endpoint``), whose output already is the HTTP answer the whole-graph
function would give, so the response template only copies ``statusCode``, ``headers`` and
``body`` (an execution that did not succeed, e.g. stopped at five minutes, answers 504).
Standard: ``StartExecution``, answered at once with 202 and the run id (the execution's name,
the request id), as ``?async=1`` answers in the service. Both request templates build the run
input the machine reads: the webhook trigger's event ``{method, path, headers, query, body}``.
"""

from __future__ import annotations

from typing import Any

REQUEST = (
    "#set($q = $input.params().querystring)#set($h = $input.params().header)"
    "{"
    '"stateMachineArn": "%(alias)s",'
    '"name": "$context.requestId",'
    '"input": "{\\"trigger\\": {'
    '\\"method\\": \\"$context.httpMethod\\", '
    '\\"path\\": \\"$util.escapeJavaScript($context.resourcePath)\\", '
    '\\"headers\\": {#foreach($k in $h.keySet())\\"$util.escapeJavaScript($k.toLowerCase())\\": '
    '\\"$util.escapeJavaScript($h.get($k))\\"'
    "#if($foreach.hasNext), #end#end}, "
    '\\"query\\": {#foreach($k in $q.keySet())\\"$util.escapeJavaScript($k)\\": '
    '\\"$util.escapeJavaScript($q.get($k))\\"#if($foreach.hasNext), #end#end}, '
    '\\"body\\": #if($input.body != "")$util.escapeJavaScript($input.json(\'$\'))'
    "#{else}null#end"
    '}}"'
    "}"
)
"""VTL: the StartExecution/StartSyncExecution request for ``alias`` (``%`` formatted)."""

SYNC_ANSWER = (
    "#if($input.path('$.status') == 'SUCCEEDED')"
    "#set($answer = $util.parseJson($input.path('$.output')))"
    "#set($context.responseOverride.status = $answer.statusCode)"
    "#foreach($k in $answer.headers.keySet())"
    "#set($context.responseOverride.header[$k] = $answer.headers.get($k))#end"
    "$answer.body"
    "#else"
    "#set($context.responseOverride.status = 504)"
    '{"error": {"type": "$input.path(\'$.error\')", "message": "the run did not finish"},'
    ' "run_id": "$input.path(\'$.name\')"}'
    "#end"
)
"""VTL: a synchronous execution's output (the endpoint machine's HTTP answer) as the response."""

QUEUED = '{"run_id": "$context.requestId", "status": "queued"}'
"""VTL: what a Standard endpoint answers at once (202), as ``?async=1`` does."""


def integration_uri(region: str, express: bool) -> str:
    action = "StartSyncExecution" if express else "StartExecution"
    return f"arn:aws:apigateway:{region}:states:action/{action}"


def put_states_route(
    api: Any,
    api_id: str,
    resource: str,
    *,
    region: str,
    alias_arn: str,
    express: bool,
    role_arn: str,
    guard: dict[str, Any],
) -> None:
    """``ANY`` on the slug's resource starts the machine's ``live`` alias, as its type wants."""
    api.put_method(restApiId=api_id, resourceId=resource, httpMethod="ANY", **guard)
    api.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="ANY",
        type="AWS",
        integrationHttpMethod="POST",
        uri=integration_uri(region, express),
        credentials=role_arn,
        passthroughBehavior="NEVER",
        requestTemplates={"application/json": REQUEST % {"alias": alias_arn}},
    )
    status = "200" if express else "202"
    api.put_method_response(
        restApiId=api_id, resourceId=resource, httpMethod="ANY", statusCode=status
    )
    api.put_integration_response(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="ANY",
        statusCode=status,
        selectionPattern="",
        responseTemplates={"application/json": SYNC_ANSWER if express else QUEUED},
    )
