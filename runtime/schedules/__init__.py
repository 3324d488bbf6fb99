"""Schedules fire: deployed graphs with a Schedule trigger start runs on their cron.

Locally (``make run``, ``auterity serve``) the service's own loop fires them (``local``), each
slot claimed in DynamoDB so two processes never both run it (``runtime.store.fires``); on AWS
(``AUTERITY_DEPLOY_TARGET=lambda``) an EventBridge Scheduler schedule invokes the deployment's
function (``eventbridge``). ``slots`` decides which slots are due and which were missed.
"""
