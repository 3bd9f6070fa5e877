"""Client-area rows → ledger values: good rows, tombstones, and every refusal with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.domain import Choice, EntryKind
from sync.area_records import (
    MalformedRecord,
    parse_entry,
    parse_ticket,
    record_key,
    ticket_problem,
)


def ticket(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": 12,
        "client_id": 5,
        "title": "Ajouter une page Tarifs",
        "status": "open",
        "estimate_minutes": 90,
        "decision": None,
        "decided_at_gmt": None,
        "date_created_gmt": "2026-11-02T09:00:00",
        "date_modified_gmt": "2026-11-02T09:00:00",
        "deleted": False,
    }
    row.update(changes)
    return row


def entry(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": 40,
        "ticket_id": 12,
        "client_id": 5,
        "kind": "production",
        "minutes": 75,
        "performed_at_gmt": "2026-11-03T14:00:00",
        "note": "Mise en page",
        "author_id": 2,
        "date_created_gmt": "2026-11-03T15:00:00",
        "date_modified_gmt": "2026-11-03T15:10:00",
        "deleted": False,
    }
    row.update(changes)
    return row


def refused(parse: Any, raw: object) -> MalformedRecord:
    with pytest.raises(MalformedRecord) as caught:
        parse(raw)
    return caught.value


def test_a_ticket_row_becomes_a_ticket_record() -> None:
    record = parse_ticket(ticket())
    assert record.id == "12" and record.client_id == 5
    assert record.title == "Ajouter une page Tarifs" and record.status == "open"
    assert record.estimate_minutes == 90 and record.decision is None and not record.deleted
    assert record.modified_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_a_decision_is_kept_with_its_date_or_the_tickets_last_change() -> None:
    dated = parse_ticket(
        ticket(
            decision="bill",
            decided_at_gmt="2026-11-04T08:00:00",
            date_modified_gmt="2026-11-04T08:00:01",
        )
    )
    assert dated.decision is Choice.BILL
    assert dated.decided_at == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)
    undated = parse_ticket(ticket(decision="buy_pack", date_modified_gmt="2026-11-05T10:00:00"))
    assert undated.decision is Choice.BUY_PACK
    assert undated.decided_at == datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


def test_an_entry_row_becomes_a_time_entry() -> None:
    update = parse_entry(entry())
    assert update.id == "wp-40" and not update.deleted and update.client_id == 5
    assert update.modified_at == datetime(2026, 11, 3, 15, 10, tzinfo=UTC)
    assert update.author == "wp-user-2"
    assert update.entry is not None
    e = update.entry
    assert (e.id, e.client_id, e.kind, e.minutes, e.ticket_id, e.note) == (
        "wp-40",
        5,
        EntryKind.PRODUCTION,
        75,
        "12",
        "Mise en page",
    )
    assert e.performed_at == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)


def test_an_explicit_offset_is_converted_to_utc() -> None:
    update = parse_entry(entry(performed_at_gmt="2026-11-03T15:00:00+01:00", note=None))
    assert update.entry is not None
    assert update.entry.performed_at == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    assert update.entry.note == ""


def test_tombstones_need_only_their_id_and_date() -> None:
    gone = parse_entry({"id": 41, "deleted": True, "date_modified_gmt": "2026-11-06T10:00:00"})
    assert gone.deleted and gone.entry is None and gone.id == "wp-41" and gone.client_id is None
    with_client = parse_entry(entry(deleted=True, kind="bogus", minutes=-3))
    assert with_client.deleted and with_client.client_id == 5
    old_ticket = parse_ticket(ticket(deleted=True, title=None, status=None))
    assert old_ticket.deleted and old_ticket.id == "12" and old_ticket.title == ""


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ("not an object", "?", "not a JSON object"),
        (entry(id=None), "?", "id is missing"),
        (entry(id="40"), "?", "id is missing"),
        (entry(id=True), "?", "id is missing"),
        (entry(id=0), "?", "id is missing"),
        (entry(kind="meeting"), "wp-40", "kind 'meeting' is not one of"),
        (entry(kind="adjustment"), "wp-40", "kind 'adjustment' is not one of"),
        (entry(minutes=0), "wp-40", "minutes must be at least 1"),
        (entry(minutes=-15), "wp-40", "minutes must be at least 1"),
        (entry(minutes=7.5), "wp-40", "minutes is not a whole number"),
        (entry(minutes="75"), "wp-40", "minutes is not a whole number"),
        (entry(minutes=None), "wp-40", "minutes is not a whole number"),
        (entry(performed_at_gmt="hier"), "wp-40", "performed_at_gmt is not a date"),
        (entry(performed_at_gmt="0000-00-00 00:00:00"), "wp-40", "is not a date"),
        (entry(performed_at_gmt="1970-01-01T00:00:00"), "wp-40", "is not a real date"),
        (entry(performed_at_gmt=None), "wp-40", "performed_at_gmt is missing"),
        (entry(date_modified_gmt=""), "wp-40", "date_modified_gmt is missing"),
        (entry(ticket_id=None), "wp-40", "ticket_id is missing"),
        (entry(client_id=0), "wp-40", "client_id is missing"),
        (entry(note=12), "wp-40", "note is not text"),
        (entry(deleted="yes"), "wp-40", "deleted is not true or false"),
    ],
)
def test_malformed_entries_are_refused_with_a_reason(raw: object, key: str, reason: str) -> None:
    problem = refused(parse_entry, raw)
    assert problem.record_id == key
    assert reason in problem.reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (ticket(title=None), "title is not text"),
        (ticket(status=""), "status is missing"),
        (ticket(estimate_minutes=-5), "estimate_minutes must be a whole number"),
        (ticket(estimate_minutes="90"), "estimate_minutes must be a whole number"),
        (ticket(decision="maybe"), "decision 'maybe' is not buy_pack or bill"),
        (ticket(decision="bill", decided_at_gmt="demain"), "decided_at_gmt is not a date"),
        (ticket(client_id=None), "client_id is missing"),
        (ticket(date_modified_gmt="2026-13-45T00:00:00"), "date_modified_gmt is not a date"),
    ],
)
def test_malformed_tickets_are_refused_with_a_reason(raw: object, reason: str) -> None:
    problem = refused(parse_ticket, raw)
    assert problem.record_id == "12"
    assert reason in problem.reason


def test_an_entry_must_point_at_a_known_ticket_of_its_client() -> None:
    update = parse_entry(entry())
    assert update.entry is not None
    assert ticket_problem(update.entry, {"12": 5}) is None
    assert ticket_problem(update.entry, {}) == "unknown ticket 12 for client 5"
    assert ticket_problem(update.entry, {"12": 7}) == "ticket 12 belongs to client 7, not 5"


def test_record_keys_for_the_quarantine() -> None:
    assert record_key(entry(), entry=True) == "wp-40"
    assert record_key(ticket(), entry=False) == "12"
    assert record_key({"id": "x"}, entry=True) == "?"
    assert record_key([], entry=False) == "?"
