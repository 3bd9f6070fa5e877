"""Input checks, and the engine's refusal of input it cannot give a meaning to."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

import ledger
from ledger.checks import ALL_CHECKS, ENGINE_CHECKS, Inputs, InvalidLedgerInput, validate
from ledger.domain import ClientId, Policy
from ledger.engine import allocate
from tests.ledger.scenarios import CLIENT, lot, run, work

LEDGER = Path(ledger.__file__).parent
PURE_MODULES = ("engine.py", "facts.py", "checks.py", "calendar.py", "domain.py", "french.py")
FORBIDDEN = {"sqlalchemy", "requests", "time", "os", "socket", "urllib", "http", "config"}


def problems_of(**changes: object) -> list[str]:
    fields: dict[str, object] = {
        "client_id": CLIENT,
        "lots": (lot("A", "2026-01-10 09:00"),),
        "entries": (work("e1", "2026-01-20 10:00", 30),),
    }
    fields.update(changes)
    return [p.message for p in validate(Inputs(**fields), ALL_CHECKS)]  # type: ignore[arg-type]


def test_sound_input_has_no_problem() -> None:
    assert problems_of() == []


def test_each_check_names_the_culprit() -> None:
    a = lot("A", "2026-01-10 09:00")
    e = work("e1", "2026-01-20 10:00", 30)
    assert problems_of(lots=(a, a)) == ["lot A: duplicate id", "lot A: duplicate id"]
    assert problems_of(entries=(e, replace(e, minutes=5))) == ["entry e1: duplicate id"] * 2
    assert problems_of(lots=(replace(a, opened_at=datetime(2026, 1, 10)),)) == [
        "lot A: naive datetime"
    ]
    assert problems_of(entries=(replace(e, client_id=ClientId(9)),)) == [
        "entry e1: belongs to client 9, not 42"
    ]
    assert problems_of(lots=(replace(a, expires_at=a.opened_at),)) == [
        "lot A: expires before it opens"
    ]
    assert problems_of(lots=(replace(a, quantity=-1, refunded_quantity=0),)) == [
        "lot A: negative quantity"
    ]
    assert problems_of(entries=(replace(e, minutes=-5),)) == ["entry e1: negative minutes (-5)"]
    assert problems_of(lots=(replace(a, refunded_quantity=2),)) == ["lot A: 2 refunded of 1"]
    assert problems_of(policy=Policy(rounding_minutes=0, unit_rates=())) == [
        "policy: rounding_minutes must be at least 1, not 0",
        "policy: no unit rate",
    ]


def test_the_engine_refuses_what_it_cannot_allocate_and_lists_every_problem() -> None:
    a = lot("A", "2026-01-10 09:00")
    stranger = replace(work("e9", "2026-01-20 10:00", 30), client_id=ClientId(9))
    with pytest.raises(InvalidLedgerInput) as caught:
        run([a, a], [stranger], now="2026-02-01 00:00")
    assert [p.source for p in caught.value.problems] == ["unique_ids", "unique_ids", "one_client"]
    assert isinstance(caught.value, ValueError)
    assert "belongs to client 9" in str(caught.value)

    with pytest.raises(InvalidLedgerInput, match="now: naive datetime"):
        allocate(CLIENT, [a], [], [], datetime(2026, 2, 1))


def test_the_engine_tolerates_what_advisory_checks_only_flag() -> None:
    assert set(ENGINE_CHECKS) < set(ALL_CHECKS)
    odd = [work("e1", "2026-01-20 10:00", -30)]
    over_refunded = replace(lot("A", "2026-01-10 09:00"), refunded_quantity=3)
    result = run([over_refunded], odd, now="2026-02-01 00:00")
    assert result.charges == () and result.uncovered == ()
    assert result.lots[0].voided == 180


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_pure_core_imports_no_io_no_clock_and_no_outer_layer(module: str) -> None:
    tree = ast.parse((LEDGER / module).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported & FORBIDDEN == set()
    clock_reads = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"now", "utcnow", "today"}
    }
    assert clock_reads == set()
