"""The catch-up policies (``slots`` says what each does).

Apart from ``slots``, so the service's config can name them without loading the cron library
on a Lambda's cold start.
"""

from __future__ import annotations

from typing import Literal

CatchUp = Literal["latest", "none", "all"]
CATCH_UP_POLICIES: tuple[CatchUp, ...] = ("latest", "none", "all")
