"""A tenant's monthly AI spend: one counter item per UTC month, in micro-dollars.

Budgets are enforced before a call by *reserving* its worst-case cost with one conditional
``ADD`` (refused when the total would pass the budget), and settled afterwards with another
``ADD`` of the difference. Two concurrent calls can therefore never both slip under the limit,
and no read-modify-write race can lose a cent.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.store.access import ConditionFailed
from runtime.store.scoped import Scoped


@dataclass(frozen=True, slots=True)
class Reservation:
    granted: bool
    spent_micros: int
    """The month's total after the reservation (granted) or as it stands (refused)."""


class SpendOps(Scoped):
    def get_spend(self, month: str) -> int:
        """Micro-dollars spent (and reserved) in ``month`` (``YYYY-MM``, UTC)."""
        fields = self._table.get(self._keys.spend(month), attributes=("micros",))
        return int((fields or {}).get("micros", 0))

    def add_spend(self, month: str, micros: int) -> int:
        """Add (or, negative, give back) an amount; returns the new total."""
        after = self._table.update(self._keys.spend(month), add={"micros": micros})
        return int(after.get("micros", 0))

    def reserve_spend(self, month: str, micros: int, limit_micros: int) -> Reservation:
        """Add ``micros`` only if the total stays within ``limit_micros``."""
        if micros > limit_micros:
            return Reservation(False, self.get_spend(month))
        try:
            after = self._table.update(
                self._keys.spend(month),
                add={"micros": micros},
                condition="attribute_not_exists(#micros) OR #micros <= :micros__room",
                values={":micros__room": limit_micros - micros},
            )
        except ConditionFailed as exc:
            return Reservation(False, int((exc.fields or {}).get("micros", 0)))
        return Reservation(True, int(after.get("micros", 0)))
