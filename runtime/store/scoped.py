"""What every part of a ``TenantStore`` shares: the table and the keys of its one tenant."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from runtime.store.access import Table
from runtime.store.keys import TenantKeys

M = TypeVar("M", bound=BaseModel)


class Scoped:
    _table: Table
    _keys: TenantKeys

    @property
    def tenant_id(self) -> str:
        return self._keys.tenant_id


def model_from(model: type[M], fields: dict[str, Any]) -> M:
    """Keys, write tokens and other storage attributes are not part of any model."""
    return model.model_validate({k: v for k, v in fields.items() if k in model.model_fields})
