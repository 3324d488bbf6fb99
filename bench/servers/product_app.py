"""The product exactly as ``auterity serve`` builds it: ``create_app`` over boto3's DynamoDB,
then the start-up heap frozen (``runtime.gc_pause.freeze_startup_heap``).

The tables and the tenant, API key, graph and deployment are created by the benchmark before
this process starts; here nothing but the app is made.
"""

from __future__ import annotations

from runtime.gc_pause import freeze_startup_heap
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import make_client

app = create_app(ServiceConfig.from_env(), make_client())
freeze_startup_heap()
