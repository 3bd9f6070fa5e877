"""Is the daemon doing its job? The judgement behind ``assist-sync health`` (a HEALTHCHECK).

The daemon runs its jobs one at a time and records every run, whatever its outcome (``ok``,
``failed``, ``skipped``), so a live leader leaves a recorded run at least every shortest
interval — or, while a long job runs, at most one deadline later. The newest run of any job is
therefore the daemon's heartbeat: older than ``max_age`` (by default 3 × the shortest interval +
the run deadline) means no daemon is leading this database, or its scheduler is stuck. A failed
run still proves the daemon alive: a shop that is down is a matter for ``status`` and the
alerts, not a reason to restart the container. A ledger with no run yet is unhealthy too; the
container's start period (``HEALTHCHECK --start-period``) covers the first runs.

A recent heartbeat is not enough: while one job hangs, the scheduler keeps recording the ticks
it skips ("the previous run is still going"), and those are recent. So a run under way (its
``running`` marker, see ``jobs.runs``) for longer than its deadline plus ``OVERRUN_GRACE`` makes
the daemon unhealthy whatever else was recorded: every request and back-off of a run ends with
its deadline, so such a run is stuck where nothing checks it (a database lock, a bug).

Pure: ``judge`` takes the last runs, the runs under way and ``now`` and returns a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from jobs.runs import JobSpec
from ledger.records import RunRecord

MISSED_TICKS = 3  # intervals without a single recorded run before the daemon counts as gone
# Seconds a run may outlast its deadline: its last request (at least jobs.deadline's
# MIN_REQUEST_TIMEOUT) and the writes that follow it, or a report being rendered.
OVERRUN_GRACE = 60


@dataclass(frozen=True)
class Verdict:
    """``healthy`` and the one line that says why."""

    healthy: bool
    line: str


def default_max_age(specs: Sequence[JobSpec], deadline_seconds: int) -> int:
    """3 × the shortest interval of ``specs`` + the run deadline, in seconds (``specs`` is not
    empty: with nothing to run, the daemon does not start)."""
    return MISSED_TICKS * min(spec.interval_seconds for spec in specs) + deadline_seconds


def judge(
    runs: Mapping[str, RunRecord],
    now: datetime,
    max_age: int,
    *,
    under_way: Sequence[RunRecord] = (),
    deadline_seconds: int = 900,
    grace: int = OVERRUN_GRACE,
) -> Verdict:
    """Healthy when no run of ``under_way`` has outlived its deadline (the one in its summary,
    else ``deadline_seconds``) by more than ``grace``, and the newest recorded run (by its end,
    else its start) ended at most ``max_age`` seconds before ``now`` (aware UTC)."""
    stuck = overrun(under_way, now, deadline_seconds, grace)
    if stuck is not None:
        return stuck
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


def overrun(
    under_way: Sequence[RunRecord], now: datetime, deadline_seconds: int, grace: int
) -> Verdict | None:
    """The unhealthy verdict for the longest-running run past its deadline + ``grace``."""
    for run in sorted(under_way, key=lambda r: r.started_at):
        deadline = _deadline_of(run, deadline_seconds)
        age = max(0, round((now - run.started_at).total_seconds()))
        if age > deadline + grace:
            return Verdict(
                False,
                f"{run.job} has been running for {age} s, beyond its deadline of {deadline} s "
                f"(+{grace} s): it hangs — restart the daemon",
            )
    return None


def _deadline_of(run: RunRecord, default: int) -> int:
    value = run.summary.get("deadline") if isinstance(run.summary, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else default
