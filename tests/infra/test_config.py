"""TenantConfig: what a tenant's stack may be built from (no synthesis here)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.cdk.config import TenantConfig
from tests.infra.support import SNAPSHOT_BRAND, config

LONGEST_REGION = "ap-southeast-4"


@pytest.mark.parametrize("tenant", ["ab", "acme", "a" * 20, "a" * 21, "x" * 63, "long-tenant-" * 5])
def test_bucket_and_function_names_fit_aws_limits(tenant: str) -> None:
    cfg = config(tenant=tenant[:63])
    bucket = f"{cfg.bucket_prefix}-123456789012-{LONGEST_REGION}"
    assert len(bucket) <= 63
    assert len(cfg.function_name) <= 64
    assert cfg.bucket_prefix.startswith("auterity-")


def test_long_tenants_keep_distinct_bucket_names() -> None:
    one = config(tenant="a" * 30 + "one")
    two = config(tenant="a" * 30 + "two")
    assert one.bucket_prefix != two.bucket_prefix


@pytest.mark.parametrize(
    "changes",
    [
        {"tenant": "Acme"},
        {"tenant": "a#b"},
        {"table_mode": "shared"},
        {"log_retention_days": 31},
        {"reserved_concurrency": 0},
        {"region": "mars"},
        {"lambda_layers": ("not-an-arn",)},
        {"custom_domain": {"domain_name": "api.acme.example", "certificate_arn": "nope"}},
        {"unknown": 1},
    ],
)
def test_bad_configs_are_refused_before_synthesis(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        config(**changes)


def test_brand_digest_and_key_follow_every_brand_change() -> None:
    first = config()
    recoloured = config(brand=SNAPSHOT_BRAND.model_copy(update={"accent_color": "#115e59"}))
    assert first.brand_key != recoloured.brand_key
    assert first.brand_key == config().brand_key


def test_tags_are_valid_tag_values() -> None:
    cfg = config(brand=SNAPSHOT_BRAND.model_copy(update={"product_name": "Flow™ <Acme> & Co"}))
    assert cfg.tags["auterity:brand"] == "Flow- -Acme- - Co"
    assert cfg.tags["auterity:tenant"] == "acme"


def test_round_trips_as_json() -> None:
    cfg = config(table_mode="pooled", reserved_concurrency=5)
    assert TenantConfig.model_validate_json(cfg.model_dump_json()) == cfg
