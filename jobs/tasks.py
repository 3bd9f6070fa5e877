"""The job table: what the daemon runs, how often, and what each job needs configured.

Each job is a small function of a ``JobContext``: it builds the HTTP clients of its run on the
context's deadline-bound session (every request checks the deadline and ends with it, back-off
sleeps wake up on shutdown), calls one sync use case and returns its figures. The use cases
record their runs themselves: a job sets ``context.recorded`` once its client is built (a
client that cannot be built is a failure the runner records) and closes the client however the
run ends. Intervals are settings (``ASSIST_ORDERS_INTERVAL`` …, in seconds).

| job         | does                                               | interval setting |
|-------------|----------------------------------------------------|------------------|
| orders      | new and changed shop orders → lots                 | orders           |
| client_area | new, changed and deleted tickets and entries       | client_area      |
| accounts    | push the accounts that changed to the client area  | accounts         |
| sweep       | expiry and end of mission: warnings, reports       | sweep            |
| reconcile   | every order again, refunds and deletions included  | reconcile        |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from config import ConfigError, Settings
from config.settings import Intervals
from jobs.runs import JobContext, JobSpec, RunProblems
from sync.accounts import sync_accounts
from sync.client_area import sync_client_area
from sync.mailer import Mailer
from sync.orders import sync_orders
from sync.sweep import sweep
from wp_client.client_area import ClientAreaClient
from wp_client.woo import WooClient

SHOP, CLIENT_AREA = "shop", "client area"


@dataclass(frozen=True)
class JobDefinition:
    """A job of the table: its name, function, interval setting and requirements."""

    name: str
    run: Callable[[JobContext], Mapping[str, Any]]
    interval: Callable[[Intervals], int]
    needs: tuple[str, ...]
    description: str


def woo_client(context: JobContext) -> WooClient:
    """A shop client whose requests obey the run's deadline."""
    return WooClient.from_settings(
        context.settings,
        session=context.http_session(),
        sleep=context.deadline.sleep,
        time_left=context.deadline.request_budget,
    )


def area_client(context: JobContext) -> ClientAreaClient:
    """A client-area client whose requests obey the run's deadline."""
    return ClientAreaClient.from_settings(
        context.settings,
        session=context.http_session(),
        sleep=context.deadline.sleep,
        time_left=context.deadline.request_budget,
    )


def run_orders(context: JobContext) -> Mapping[str, Any]:
    """Incremental orders → lots (``sync_orders`` records the run itself, as job ``orders``)."""
    with closing(woo_client(context)) as woo:
        context.recorded = True
        return sync_orders(context.db, woo, context.settings, now=context.now).as_dict()


def run_reconcile(context: JobContext) -> Mapping[str, Any]:
    """Every order again (``full=True``): catches edits that did not bump ``date_modified``,
    refunds, and orders deleted from the shop. Recorded once, as job ``reconcile`` (not also as
    ``orders``: the incremental job keeps its own rhythm after a restart)."""
    with closing(woo_client(context)) as woo:
        context.recorded = True
        summary = sync_orders(
            context.db, woo, context.settings, now=context.now, full=True, job="reconcile"
        )
        return summary.as_dict()


def run_client_area(context: JobContext) -> Mapping[str, Any]:
    """Tickets and time entries (``sync_client_area`` records the run itself)."""
    with closing(area_client(context)) as area:
        context.recorded = True
        return sync_client_area(context.db, area, context.settings, now=context.now).as_dict()


def run_accounts(context: JobContext) -> Mapping[str, Any]:
    """Push the accounts whose content changed (``sync_accounts`` keeps a hash per account and
    records the run itself); a tick with nothing changed sends nothing."""
    with closing(area_client(context)) as area:
        context.recorded = True
        summary = sync_accounts(
            context.db,
            area,
            context.settings,
            now=context.now,
            checkpoint=context.deadline.check,
        )
        return summary.as_dict()


def run_sweep(context: JobContext) -> Mapping[str, Any]:
    """Expiry and end of mission for every client: warnings e-mailed once (when SMTP is set),
    reports uploaded (when the client area is set). Problems make the run a failed one."""
    settings = context.settings
    area = None if missing(settings, (CLIENT_AREA,)) else area_client(context)
    mailer = Mailer.maybe_from_settings(settings)
    try:
        summary = sweep(
            context.db,
            settings,
            now=context.now,
            mailer=mailer,
            area=area,
            checkpoint=context.deadline.check,
        )
    finally:
        if mailer is not None:
            mailer.close()
        if area is not None:
            area.close()
    if summary.problems:
        raise RunProblems(summary.as_dict(), summary.problems)
    return summary.as_dict()


JOBS: tuple[JobDefinition, ...] = (
    JobDefinition(
        "orders", run_orders, lambda i: i.orders, (SHOP,), "new and changed orders → lots"
    ),
    JobDefinition(
        "client_area",
        run_client_area,
        lambda i: i.client_area,
        (CLIENT_AREA,),
        "new, changed and deleted tickets and time entries",
    ),
    JobDefinition(
        "accounts",
        run_accounts,
        lambda i: i.accounts,
        (CLIENT_AREA,),
        "push the accounts that changed",
    ),
    JobDefinition(
        "sweep",
        run_sweep,
        lambda i: i.sweep,
        (),
        "expiry and end of mission: warnings, reports",
    ),
    JobDefinition(
        "reconcile",
        run_reconcile,
        lambda i: i.reconcile,
        (SHOP,),
        "full reconciliation of every order",
    ),
)


def missing(settings: Settings, needs: tuple[str, ...]) -> list[str]:
    """The configuration problems that keep a job with ``needs`` from running."""
    checks = {SHOP: settings.require_shop, CLIENT_AREA: settings.require_client_area}
    problems: list[str] = []
    for need in needs:
        try:
            checks[need]()
        except ConfigError as exc:
            problems.extend(exc.problems)
    return problems


def job_table(settings: Settings) -> tuple[list[JobSpec], dict[str, list[str]]]:
    """The jobs ``settings`` allow, with their intervals, and for each job left out, why.

    With neither the shop nor the client area configured there is nothing to sync, and no job
    is returned at all (the sweep alone would only recompute an empty ledger).
    """
    specs: list[JobSpec] = []
    left_out: dict[str, list[str]] = {}
    remote = False
    for job in JOBS:
        problems = missing(settings, job.needs)
        if problems:
            left_out[job.name] = problems
            continue
        remote = remote or bool(job.needs)
        specs.append(JobSpec(job.name, job.run, job.interval(settings.intervals), job.description))
    return (specs if remote else []), left_out
