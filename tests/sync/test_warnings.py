"""Warning detection on literal scenarios: each kind, its threshold, its key, its French text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ledger.domain import (
    Choice,
    ClientId,
    EntryId,
    EntryKind,
    LotSource,
    LotStatus,
    TicketId,
    TimeEntry,
)
from ledger.records import ClientBalance, LotRow, TicketRecord
from sync.warnings import (
    ClientWarning,
    WarningKind,
    WarningOptions,
    detect_warnings,
    logged_minutes_by_ticket,
)

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
OPTIONS = WarningOptions(
    shop_url="https://agence.example",
    product_urls={"ASSIST-5H": "https://agence.example/?add-to-cart=42"},
)


def lot(
    lot_id: str,
    *,
    remaining: int,
    used: int = 0,
    sku: str = "ASSIST-3H",
    opened: datetime = datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    expires: datetime | None = datetime(2027, 3, 1, 10, 0, tzinfo=UTC),
    status: LotStatus = LotStatus.OPEN,
    rate: str = "60.00",
    source: LotSource = LotSource.ORDER_LINE,
) -> LotRow:
    granted = used + remaining
    return LotRow(
        id=lot_id,
        client_id=5,
        source=source,
        sku=sku,
        order_id=13,
        order_line_id=9,
        quantity=1,
        pack_minutes=granted,
        refunded_quantity=0,
        voided=status is LotStatus.VOIDED,
        hourly_rate=Decimal(rate),
        opened_at=opened,
        expires_at=expires,
        reason=None,
        granted_minutes=granted,
        used_minutes=used,
        expired_minutes=0,
        remaining_minutes=remaining,
        voided_minutes=0,
        status=status,
    )


def balance(*lots: LotRow) -> ClientBalance:
    return ClientBalance(
        client_id=5,
        email="claire@example.fr",
        name="Claire Martin",
        remaining_minutes=sum(row.remaining_minutes for row in lots),
        uncovered_minutes=0,
        billed_minutes=0,
        recomputed_at=NOW,
        lots=lots,
    )


def ticket(
    ticket_id: str, estimate: int | None, *, status: str = "open", decision: Choice | None = None
) -> TicketRecord:
    return TicketRecord(
        id=ticket_id,
        client_id=5,
        title="Ajouter une page Tarifs",
        status=status,
        modified_at=NOW,
        estimate_minutes=estimate,
        decision=decision,
        decided_at=NOW if decision else None,
    )


def keys(warnings: list[ClientWarning]) -> list[str]:
    return [w.key for w in warnings]


def test_a_comfortable_balance_far_from_expiry_warns_nothing() -> None:
    client = balance(lot("L1", remaining=180, expires=NOW + timedelta(days=60)))
    assert detect_warnings(client, [ticket("12", 90)], {}, NOW, OPTIONS) == []


def test_overrun_when_the_estimate_exceeds_the_balance_offers_both_choices() -> None:
    client = balance(lot("L1", remaining=75, used=105, expires=NOW + timedelta(days=60)))
    [warning] = detect_warnings(client, [ticket("12", 90)], {}, NOW, OPTIONS)
    assert warning.key == "overrun:12"
    assert warning.kind is WarningKind.OVERRUN
    assert warning.estimate_minutes == 90
    assert warning.remaining_minutes == 75
    assert warning.hourly_rate == Decimal("60.00")
    assert "estimée à 1 h 30 min" in warning.message
    assert "il ne reste que 1 h 15 min" in warning.message
    assert "acheter un nouveau pack" in warning.message
    assert "60,00\u00a0€ HT de l'heure" in warning.message
    assert warning.product_url == "https://agence.example/"
    payload = warning.as_payload()
    assert payload["ticket_id"] == 12 and payload["hourly_rate"] == "60.00"


def test_overrun_counts_only_the_work_still_to_do_on_the_ticket() -> None:
    client = balance(lot("L1", remaining=40, used=140, expires=NOW + timedelta(days=60)))
    entries = [
        TimeEntry(EntryId("e1"), ClientId(5), EntryKind.PRODUCTION, 60, NOW, TicketId("12")),
        TimeEntry(EntryId("e2"), ClientId(5), EntryKind.EXCHANGE, 30, NOW, TicketId("12")),
    ]
    logged = logged_minutes_by_ticket(entries)
    assert logged == {"12": 60}
    # 100 estimated, 60 done: 40 to do, 40 left → fine; 101 estimated: 41 to do → overrun.
    relaxed = WarningOptions(low_balance_minutes=0)
    assert detect_warnings(client, [ticket("12", 100)], logged, NOW, relaxed) == []
    [warning] = detect_warnings(client, [ticket("12", 101)], logged, NOW, relaxed)
    assert warning.key == "overrun:12"
    assert warning.estimate_minutes == 41
    assert (
        "Le travail restant sur votre demande « Ajouter une page Tarifs » est estimé à 41 min"
        in (warning.message)
    )


def test_no_overrun_once_the_client_decided_or_the_ticket_is_closed() -> None:
    client = balance(lot("L1", remaining=75, used=105, expires=NOW + timedelta(days=60)))
    tickets = [
        ticket("12", 90, decision=Choice.BILL),
        ticket("13", 90, decision=Choice.BUY_PACK),
        ticket("14", 90, status="done"),
        ticket("15", None),
        ticket("16", 75),  # exactly the balance: no overrun
    ]
    assert detect_warnings(client, tickets, {}, NOW, OPTIONS) == []


def test_overrun_without_any_pack_uses_the_unit_rate() -> None:
    client = balance()
    [warning] = detect_warnings(client, [ticket("7", 30)], {}, NOW, OPTIONS)
    assert warning.hourly_rate == Decimal("65.00")
    assert "soit facturé à notre tarif horaire hors pack, soit 65,00\u00a0€ HT" in warning.message
    assert "il ne reste que 0 min" in warning.message


def test_overrun_uses_the_rate_of_the_most_recent_pack_and_links_to_it() -> None:
    older = lot("L1", remaining=10, used=170, opened=NOW - timedelta(days=60))
    newer = lot(
        "L2",
        remaining=0,
        used=300,
        sku="ASSIST-5H",
        rate="57.00",
        opened=NOW - timedelta(days=5),
        status=LotStatus.USED_UP,
    )
    [overrun, *_] = detect_warnings(balance(older, newer), [ticket("9", 60)], {}, NOW, OPTIONS)
    assert overrun.hourly_rate == Decimal("57.00")
    assert (
        "soit facturé au tarif horaire de votre Pack Assistance 5h, soit 57,00" in overrun.message
    )
    assert " à le " not in overrun.message
    assert overrun.product_url == "https://agence.example/?add-to-cart=42"


def test_low_balance_below_the_threshold_only() -> None:
    far = NOW + timedelta(days=60)
    assert (
        detect_warnings(balance(lot("L1", remaining=60, expires=far)), [], {}, NOW, OPTIONS) == []
    )
    [warning] = detect_warnings(balance(lot("L1", remaining=59, expires=far)), [], {}, NOW, OPTIONS)
    assert warning.key == "low:L1"
    assert warning.kind is WarningKind.LOW_BALANCE
    assert "Il ne reste que 59 min" in warning.message
    custom = WarningOptions(low_balance_minutes=120)
    [warning] = detect_warnings(balance(lot("L1", remaining=90, expires=far)), [], {}, NOW, custom)
    assert "1 h 30 min" in warning.message


def test_low_balance_is_re_armed_by_a_new_pack() -> None:
    far = NOW + timedelta(days=60)
    first = balance(lot("L1", remaining=30, used=150, expires=far))
    assert keys(detect_warnings(first, [], {}, NOW, OPTIONS)) == ["low:L1"]
    topped_up = balance(
        lot("L1", remaining=30, used=150, expires=far),
        lot("L2", remaining=180, opened=NOW - timedelta(days=1), expires=far),
    )
    assert detect_warnings(topped_up, [], {}, NOW, OPTIONS) == []
    low_again = balance(
        lot("L1", remaining=0, used=180, expires=far, status=LotStatus.USED_UP),
        lot("L2", remaining=20, used=160, opened=NOW - timedelta(days=1), expires=far),
    )
    assert "low:L2" in keys(detect_warnings(low_again, [], {}, NOW, OPTIONS))


def test_expiry_in_30_then_in_7_days_with_time_left() -> None:
    in_40 = balance(lot("L1", remaining=120, expires=NOW + timedelta(days=40)))
    assert detect_warnings(in_40, [], {}, NOW, OPTIONS) == []
    in_30 = balance(lot("L1", remaining=120, expires=datetime(2027, 2, 26, 10, tzinfo=UTC)))
    [warning] = detect_warnings(in_30, [], {}, NOW, OPTIONS)
    assert warning.key == "expiry30:L1" and warning.kind is WarningKind.EXPIRY_30
    assert "arrive à échéance le 26 février 2027" in warning.message
    assert "il vous reste 2 h à utiliser" in warning.message
    in_7 = balance(lot("L1", remaining=75, expires=NOW + timedelta(days=6, hours=23)))
    assert keys(detect_warnings(in_7, [], {}, NOW, OPTIONS)) == ["expiry7:L1"]
    expired = balance(lot("L1", remaining=75, expires=NOW))
    assert detect_warnings(expired, [], {}, NOW, OPTIONS) == []


def test_expiry_is_not_warned_for_admin_credits_or_empty_lots() -> None:
    soon = NOW + timedelta(days=3)
    admin = lot("adjust-1", remaining=120, expires=soon, source=LotSource.ADJUSTMENT, sku="")
    assert detect_warnings(balance(admin), [], {}, NOW, OPTIONS) == []


def test_used_up_pack_until_its_expiry() -> None:
    used = lot("L1", remaining=0, used=180, status=LotStatus.USED_UP)
    other = lot("L2", remaining=300, sku="ASSIST-5H", expires=NOW + timedelta(days=100))
    [warning] = detect_warnings(balance(used, other), [], {}, NOW, OPTIONS)
    assert warning.key == "used_up:L1" and warning.kind is WarningKind.USED_UP
    assert (
        "Pack Assistance 3h acheté le 1er décembre 2026 est entièrement utilisé" in warning.message
    )
    assert "Il vous reste 5 h sur vos autres packs" in warning.message
    old = lot("L0", remaining=0, used=180, status=LotStatus.USED_UP, expires=NOW)
    assert detect_warnings(balance(old, other), [], {}, NOW, OPTIONS) == []


def test_several_warnings_at_once_have_distinct_keys() -> None:
    soon = NOW + timedelta(days=5)
    client = balance(
        lot("L1", remaining=0, used=180, status=LotStatus.USED_UP),
        lot("L2", remaining=45, used=255, sku="ASSIST-5H", expires=soon),
    )
    tickets = [ticket("12", 90), ticket("13", 50), ticket("14", 30)]
    found = keys(detect_warnings(client, tickets, {}, NOW, OPTIONS))
    assert found == ["overrun:12", "overrun:13", "low:L2", "expiry7:L2", "used_up:L1"]
    assert len(set(found)) == len(found)
