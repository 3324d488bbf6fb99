"""The product exactly as ``auterity serve`` builds it (``serving_app``) over boto3's DynamoDB.

The tables and the tenant, API key, graph and deployment are created by the benchmark before
this process starts; here nothing but the app is made.
"""

from __future__ import annotations

from runtime.service.config import ServiceConfig
from runtime.service.server import serving_app
from runtime.store import make_client

app = serving_app(ServiceConfig.from_env(), make_client())
