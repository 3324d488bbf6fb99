"""The tenant's brand: one item, replaced only by a writer that saw the current revision.

A tenant that never set a brand has ``DEFAULT_BRAND`` at revision 0. The brand names its logo
and favicon by content hash; their bytes are in S3 (``runtime.store.assets``).

The brand model lives in ``runtime.tenant`` (below the store), so the Lambda bundle that
carries the store carries it too.
"""

from __future__ import annotations

from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict
from runtime.store.scoped import Scoped
from runtime.tenant.assets import Asset, AssetKind
from runtime.tenant.brand import Brand, StoredBrand


class BrandOps(Scoped):
    def get_brand(self) -> StoredBrand:
        """The default brand (revision 0) until the first update."""
        fields = self._table.get(self._keys.brand())
        if fields is None:
            return StoredBrand()
        return StoredBrand(brand=Brand.model_validate(fields["brand"]), revision=fields["revision"])

    def put_brand(self, brand: Brand, revision: int) -> StoredBrand:
        """Replace the brand if it is still at ``revision``; ``Conflict`` otherwise."""
        key = self._keys.brand()
        stored = StoredBrand(brand=brand, revision=revision + 1)
        fields = {
            "PK": key.pk,
            "SK": key.sk,
            "brand": brand.model_dump(mode="json"),
            "revision": stored.revision,
        }
        condition = "#revision = :revision"
        if revision == 0:
            condition = "attribute_not_exists(#PK) OR " + condition
        try:
            self._table.put(fields, condition=condition, values={":revision": revision})
        except ConditionFailed as exc:
            current = (exc.fields or {}).get("revision", 0)
            raise Conflict(
                f"the brand is at revision {current}, not {revision}; reload it",
                current_version=current,
            ) from None
        return stored

    def set_brand_asset(
        self, kind: AssetKind, asset: Asset | None
    ) -> tuple[StoredBrand, Asset | None]:
        """Point the brand's ``kind`` at ``asset`` (None removes it), keeping its other fields.

        Returns the new brand and the asset it replaced (whose file may now be deleted).
        """
        current = self.get_brand()
        previous: Asset | None = getattr(current.brand, kind)
        brand = current.brand.model_copy(update={kind: asset})
        return self.put_brand(brand, current.revision), previous
