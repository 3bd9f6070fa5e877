"""Checks on the engine's input: small functions that each return the problems they find.

In the style of beancount's ``ops/validation.py``: every check is a function
``check_x(inputs) -> list[Problem]``; a tuple of checks is run by one driver, ``validate``.

Two families:

* ``ENGINE_CHECKS`` find input the engine cannot give a meaning to (naive datetimes, duplicate
  ids, another client's rows, a lot that expires before it opens, negative quantities, a policy
  without unit rates). ``ledger.engine.allocate`` runs them and raises ``InvalidLedgerInput``
  (a ``ValueError``) listing every problem, so bad input is never silently allocated.
* ``ADVISORY_CHECKS`` find input the engine has a defined answer for but a human should look at
  (negative minutes deduct nothing; a refund of more packs than bought voids the lot). Callers
  (the sync use cases) run them with ``validate(inputs, ALL_CHECKS)`` to quarantine or flag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ledger.domain import ClientId, Decision, Lot, Policy, TimeEntry


@dataclass(frozen=True)
class Inputs:
    """Everything ``allocate`` is given, as tuples, for the checks to look at."""

    client_id: ClientId
    lots: Sequence[Lot]
    entries: Sequence[TimeEntry]
    decisions: Sequence[Decision] = ()
    policy: Policy = field(default_factory=Policy)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which check found it, what is wrong, and the culprit."""

    source: str
    message: str
    item: object


class InvalidLedgerInput(ValueError):
    """The engine was given input it cannot allocate; ``problems`` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


Check = Callable[[Inputs], list[Problem]]


def _naive(moment: datetime | None) -> bool:
    return moment is not None and moment.utcoffset() is None


def check_aware_datetimes(inputs: Inputs) -> list[Problem]:
    """Every timestamp must be timezone-aware (the ledger speaks UTC instants)."""
    problems: list[Problem] = []
    for lot in inputs.lots:
        if _naive(lot.opened_at) or _naive(lot.expires_at):
            problems.append(Problem("aware_datetimes", f"lot {lot.id}: naive datetime", lot))
    for entry in inputs.entries:
        if _naive(entry.performed_at):
            problems.append(Problem("aware_datetimes", f"entry {entry.id}: naive datetime", entry))
    for decision in inputs.decisions:
        if _naive(decision.decided_at):
            message = f"decision on ticket {decision.ticket_id}: naive datetime"
            problems.append(Problem("aware_datetimes", message, decision))
    return problems


def check_unique_ids(inputs: Inputs) -> list[Problem]:
    """Lot ids and entry ids are the keys of the facts: each must appear once."""
    problems: list[Problem] = []
    for kind, items in (("lot", inputs.lots), ("entry", inputs.entries)):
        counts = Counter(item.id for item in items)
        for item in items:
            if counts[item.id] > 1:
                problems.append(Problem("unique_ids", f"{kind} {item.id}: duplicate id", item))
    return problems


def check_one_client(inputs: Inputs) -> list[Problem]:
    """The engine allocates one client at a time: another client's rows are a caller's bug."""
    problems: list[Problem] = []
    for kind, items in (("lot", inputs.lots), ("entry", inputs.entries)):
        for item in items:
            if item.client_id != inputs.client_id:
                message = f"{kind} {item.id}: belongs to client {item.client_id}"
                problems.append(Problem("one_client", f"{message}, not {inputs.client_id}", item))
    return problems


def check_lot_dates(inputs: Inputs) -> list[Problem]:
    """A lot must expire strictly after it opens, or it would cover an empty interval."""
    problems: list[Problem] = []
    for lot in inputs.lots:
        if _naive(lot.opened_at) or _naive(lot.expires_at) or lot.expires_at is None:
            continue
        if lot.expires_at <= lot.opened_at:
            problems.append(Problem("lot_dates", f"lot {lot.id}: expires before it opens", lot))
    return problems


def check_lot_quantities(inputs: Inputs) -> list[Problem]:
    """Quantities and pack sizes are counts: negative ones have no meaning."""
    problems: list[Problem] = []
    for lot in inputs.lots:
        if min(lot.quantity, lot.pack_minutes, lot.refunded_quantity) < 0:
            problems.append(Problem("lot_quantities", f"lot {lot.id}: negative quantity", lot))
    return problems


def check_policy(inputs: Inputs) -> list[Problem]:
    """Rounding is a positive step; overage needs at least one non-negative unit rate."""
    policy = inputs.policy
    problems: list[Problem] = []
    if policy.rounding_minutes < 1:
        message = f"policy: rounding_minutes must be at least 1, not {policy.rounding_minutes}"
        problems.append(Problem("policy", message, policy))
    if not policy.unit_rates:
        problems.append(Problem("policy", "policy: no unit rate", policy))
    if any(rate < 0 for _, rate in policy.unit_rates):
        problems.append(Problem("policy", "policy: negative unit rate", policy))
    return problems


def check_entry_minutes(inputs: Inputs) -> list[Problem]:
    """Advisory: negative minutes deduct nothing (rule 2) but are surely a typing mistake."""
    return [
        Problem("entry_minutes", f"entry {entry.id}: negative minutes ({entry.minutes})", entry)
        for entry in inputs.entries
        if entry.minutes < 0
    ]


def check_refunds(inputs: Inputs) -> list[Problem]:
    """Advisory: more packs refunded than bought leaves the lot empty, but says a sync bug."""
    return [
        Problem("refunds", f"lot {lot.id}: {lot.refunded_quantity} refunded of {lot.quantity}", lot)
        for lot in inputs.lots
        if lot.refunded_quantity > lot.quantity >= 0
    ]


ENGINE_CHECKS: tuple[Check, ...] = (
    check_aware_datetimes,
    check_unique_ids,
    check_one_client,
    check_lot_dates,
    check_lot_quantities,
    check_policy,
)
ADVISORY_CHECKS: tuple[Check, ...] = (check_entry_minutes, check_refunds)
ALL_CHECKS: tuple[Check, ...] = ENGINE_CHECKS + ADVISORY_CHECKS


def validate(inputs: Inputs, checks: Sequence[Check] = ALL_CHECKS) -> list[Problem]:
    """Run ``checks`` in order and return every problem found (empty: the input is sound)."""
    return [problem for check in checks for problem in check(inputs)]
