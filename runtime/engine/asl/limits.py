"""The Step Functions limits the compiler designs for, and the thresholds it derives from them.

Kept in one place so the README, the workflow-type reasons and the compiler quote the same
numbers.
"""

from __future__ import annotations

EXPRESS_MAX_SECONDS = 300
"""An Express execution runs at most five minutes."""

STATE_PAYLOAD_BYTES = 256 * 1024
"""Every state's input and output, and so every node's record, the whole run's state and a
Task's payload, is at most 256 KiB."""

STANDARD_HISTORY_EVENTS = 25_000
"""A Standard execution's history holds at most 25,000 events (inline Map iterations count)."""

INLINE_MAP_EVENTS = 10_000
"""The share of that history one for-each may spend inline. Above ``INLINE_MAP_EVENTS /
events per item`` items, a Standard workflow runs the items as a Distributed Map, whose child
executions keep their own histories."""

EVENTS_PER_TASK = 5
"""Entered, scheduled, started, succeeded, exited."""
EVENTS_PER_STATE = 2
"""Entered and exited, for every other state."""
EVENTS_PER_ITERATION = 2
"""A Map iteration's started and succeeded."""

TIMEOUT_GRACE_SECONDS = 10
"""Added to a node's own timeout for its Task's ``TimeoutSeconds``: the handler times the
attempt itself (so it fails as in-process), and the Task's timeout is the backstop for a
function that hangs or dies."""

STATE_NAME_MAX = 80
"""Step Functions' longest state name."""
