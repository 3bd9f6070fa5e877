"""Is the daemon doing its job? The judgement behind ``assist-sync health`` (a HEALTHCHECK).

The daemon runs its jobs one at a time and records every run, whatever its outcome (``ok``,
``failed``, ``skipped``), so a live leader leaves a recorded run at least every shortest
interval — or, while a long job runs, at most one deadline later. The newest run of any job is
therefore the daemon's heartbeat: older than ``max_age`` (by default 3 × the shortest interval +
the run deadline) means no daemon is leading this database, or its scheduler is stuck. A failed
run still proves the daemon alive: a shop that is down is a matter for ``status`` and the
alerts, not a reason to restart the container. A ledger with no run yet is unhealthy too; the
container's start period (``HEALTHCHECK --start-period``) covers the first runs.

Pure: ``judge`` takes the last runs and ``now`` and returns a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from jobs.runs import JobSpec
from ledger.records import RunRecord

MISSED_TICKS = 3  # intervals without a single recorded run before the daemon counts as gone


@dataclass(frozen=True)
class Verdict:
    """``healthy`` and the one line that says why."""

    healthy: bool
    line: str


def default_max_age(specs: Sequence[JobSpec], deadline_seconds: int) -> int:
    """3 × the shortest interval of ``specs`` + the run deadline, in seconds (``specs`` is not
    empty: with nothing to run, the daemon does not start)."""
    return MISSED_TICKS * min(spec.interval_seconds for spec in specs) + deadline_seconds


def judge(runs: Mapping[str, RunRecord], now: datetime, max_age: int) -> Verdict:
    """Healthy when the newest recorded run (by its end, else its start) ended at most
    ``max_age`` seconds before ``now`` (aware UTC)."""
    if not runs:
        return Verdict(False, "no run recorded yet: is `assist-sync run` leading this database?")
    newest = max(runs.values(), key=_ended)
    age = max(0, round((now - _ended(newest)).total_seconds()))
    what = f"last run {newest.job} ({newest.outcome}) {age} s ago"
    if age > max_age:
        return Verdict(
            False,
            f"{what}, more than {max_age} s: no daemon is running the jobs on this database",
        )
    return Verdict(True, f"healthy: {what} (at most {max_age} s)")


def _ended(run: RunRecord) -> datetime:
    return run.finished_at or run.started_at
