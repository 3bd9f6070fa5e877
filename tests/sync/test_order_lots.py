"""Order JSON → lot plan, on responses captured from a real WooCommerce 8.9.1 and variations.

The captured files (copied verbatim from the shared fixtures into ``tests/sync/fixtures``) are
the reference for field names and types: dates without offset, ``*_gmt`` in UTC, refunds with
negative quantities and ``_refunded_item_id`` as a string.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config.catalog import DEFAULT_CATALOG
from sync.order_lots import (
    MalformedOrder,
    OrderFingerprint,
    fingerprint,
    parse_order,
    parse_refunds,
    plan_lots,
)

FIXTURES = Path(__file__).parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")


def body(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["body"]


def order(name: str = "orders_get_single_two_items", **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(body(name))
    raw.update(changes)
    return raw


def test_paid_order_with_two_lines_opens_one_lot_per_line_at_the_payment_time() -> None:
    shop = parse_order(order(), DEFAULT_CATALOG)
    assert shop.paid and shop.id == 20 and shop.customer_id == 2
    lots = plan_lots(shop, PARIS).for_client(2)
    assert [lot.id for lot in lots] == ["order-20-line-8", "order-20-line-9"]
    paid = datetime(2026, 11, 26, 10, 32, 39, tzinfo=UTC)
    three, five = lots
    assert three.opened_at == paid and five.opened_at == paid
    assert (three.sku, three.pack_minutes, three.hourly_rate) == ("ASSIST-3H", 180, Decimal("60"))
    assert (five.sku, five.pack_minutes, five.hourly_rate) == ("ASSIST-5H", 300, Decimal("57"))
    # 26 Nov 11:32 in Paris + 3 / 6 calendar months, same wall time (winter time both ends)
    assert three.expires_at == datetime(2027, 2, 26, 10, 32, 39, tzinfo=UTC)
    assert five.expires_at == datetime(2027, 5, 26, 9, 32, 39, tzinfo=UTC)  # summer time
    assert all(lot.client_id == 2 and lot.order_id == 20 and not lot.voided for lot in lots)


def test_quantity_two_opens_twice_the_hours_in_one_lot() -> None:
    raw = order()
    raw["line_items"] = [dict(raw["line_items"][0], quantity=2)]
    (lot,) = plan_lots(parse_order(raw, DEFAULT_CATALOG), PARIS).for_client(2)
    assert lot.quantity == 2 and lot.granted_minutes == 360


def test_pending_order_opens_nothing_and_opens_at_date_paid_once_processing() -> None:
    pending = parse_order(order(status="pending", date_paid_gmt=None), DEFAULT_CATALOG)
    assert not pending.paid and plan_lots(pending, PARIS).specs == ()
    assert pending.void_reason() == "order 20 is pending (not paid)"
    paid = parse_order(
        order(status="processing", date_paid_gmt="2026-12-01T08:00:00"), DEFAULT_CATALOG
    )
    lots = plan_lots(paid, PARIS).for_client(2)
    assert {lot.opened_at for lot in lots} == {datetime(2026, 12, 1, 8, 0, tzinfo=UTC)}


def test_a_paid_status_without_a_payment_date_is_still_paid() -> None:
    """What the real shop sends for an order of virtual and downloadable products moved to
    processing by hand (payment complete would have made it completed): no date_paid."""
    undated = {"date_paid_gmt": None, "date_completed_gmt": None}
    raw = order(status="processing", date_modified_gmt="2026-11-28T15:00:00", **undated)
    processing = parse_order(raw, DEFAULT_CATALOG)
    assert processing.paid and processing.date_paid_estimated
    assert processing.date_paid == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # as modified
    completed = parse_order(
        order(status="completed", date_paid_gmt=None, date_completed_gmt="2026-11-27T09:00:00"),
        DEFAULT_CATALOG,
    )
    assert completed.date_paid == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    lots = plan_lots(completed, PARIS).for_client(2)
    assert {lot.opened_at for lot in lots} == {completed.date_paid}
    dated = parse_order(order(), DEFAULT_CATALOG)
    assert dated.paid and not dated.date_paid_estimated


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed", "trash"])
def test_cancel_refund_failed_trash_void(status: str) -> None:
    shop = parse_order(order(status=status), DEFAULT_CATALOG)
    assert not shop.paid
    assert shop.void_reason() == f"order 20 is {status}"
    assert plan_lots(shop, PARIS).specs == ()


def test_guest_cancelled_order_from_the_real_shop() -> None:
    shop = parse_order(body("orders_get_single_guest_cancelled"), DEFAULT_CATALOG)
    assert shop.guest and shop.billing_email == "guest@example.test"
    assert not shop.paid and shop.void_reason() == "order 17 is cancelled"


def test_unknown_sku_and_null_sku_lines_are_skipped_and_counted() -> None:
    raw = order()
    raw["line_items"][1] = dict(raw["line_items"][1], sku="MUG-01")
    raw["line_items"].append(dict(raw["line_items"][0], id=99, sku=None))
    shop = parse_order(raw, DEFAULT_CATALOG)
    assert shop.skipped_lines == 2
    assert [lot.id for lot in plan_lots(shop, PARIS).specs] == ["order-20-line-8"]


def test_partial_refund_of_the_real_shop_is_amount_only() -> None:
    # The captured partial refund names line 7 but with quantity 0: money only, no pack back.
    shop = parse_order(body("orders_get_single_partial_refund"), DEFAULT_CATALOG)
    refunds = parse_refunds(shop, body("orders_refunds_list_partial"))
    assert refunds.refunded == {} and refunds.amount_only == (24,)
    (lot,) = plan_lots(shop, PARIS, refunds.refunded).for_client(4)
    assert lot.refunded_quantity == 0 and lot.capacity_minutes == 600


def test_full_refund_with_empty_lines_is_amount_only_and_the_status_voids() -> None:
    shop = parse_order(body("orders_get_single_full_refunded"), DEFAULT_CATALOG)
    refunds = parse_refunds(shop, body("orders_refunds_list_full"))
    assert refunds.amount_only == (23,)
    assert shop.void_reason() == "order 18 is refunded"


def test_refund_line_quantities_reduce_the_line_by_that_many_packs() -> None:
    raw = order()
    raw["line_items"][0]["quantity"] = 3
    refund = copy.deepcopy(body("orders_refunds_list_partial")[0])
    item = refund["line_items"][0]
    item["quantity"] = -2
    item["meta_data"][0]["value"] = "8"
    second = copy.deepcopy(refund)
    second["id"] = 31
    second["line_items"][0]["quantity"] = -1
    shop = parse_order(raw, DEFAULT_CATALOG)
    refunds = parse_refunds(shop, [refund, second])
    assert refunds.refunded == {8: 3} and refunds.amount_only == ()
    lots = plan_lots(shop, PARIS, refunds.refunded).for_client(2)
    assert lots[0].refunded_quantity == 3 and lots[0].capacity_minutes == 0
    assert lots[1].refunded_quantity == 0


def test_docs_sample_refund_shape_reads_negative_quantity_and_item_meta() -> None:
    raw = order()
    raw["line_items"][0]["id"] = 311
    shop = parse_order(raw, DEFAULT_CATALOG)
    refunds = parse_refunds(shop, body_docs("docs-wc-v3-refunds-list"))
    assert refunds.refunded == {311: 1} and refunds.amount_only == (726,)


def body_docs(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "'id' must be a positive integer"),
        ({"id": "20"}, "'id' must be a positive integer"),
        ({"status": ""}, "'status' must be a non-empty string"),
        ({"customer_id": -1}, "'customer_id' must be an integer ≥ 0"),
        ({"date_modified_gmt": "yesterday"}, "'date_modified_gmt' is not a date"),
        ({"date_modified_gmt": None}, "'date_modified_gmt' is missing"),
        ({"date_paid_gmt": "2026-13-40T00:00:00"}, "'date_paid_gmt' is not a date"),
        ({"date_paid_gmt": None, "date_completed_gmt": "soon"}, "'date_completed_gmt' is not"),
        ({"line_items": None}, "'line_items' must be a list"),
        ({"refunds": {"id": 1}}, "'refunds' must be a list"),
        ({"billing": "x"}, "'billing' must be an object"),
    ],
)
def test_malformed_orders_say_why(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(MalformedOrder) as caught:
        parse_order(order(**change), DEFAULT_CATALOG)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"quantity": "2"}, "quantity '2' is not a whole number"),
        ({"quantity": 1.5}, "quantity 1.5 is not a whole number"),
        ({"quantity": True}, "quantity True is not a whole number"),
        ({"quantity": -1}, "negative quantity -1"),
        ({"id": 0}, "a line item has no integer 'id'"),
        ({"sku": 12}, "'sku' must be a string or null"),
    ],
)
def test_malformed_lines_say_why(line: dict[str, Any], reason: str) -> None:
    raw = order()
    raw["line_items"][0].update(line)
    with pytest.raises(MalformedOrder) as caught:
        parse_order(raw, DEFAULT_CATALOG)
    assert reason in caught.value.reason and caught.value.order_id == 20


def test_a_line_listed_twice_is_malformed() -> None:
    raw = order()
    raw["line_items"][1]["id"] = 8
    with pytest.raises(MalformedOrder, match="line 8 is listed twice"):
        parse_order(raw, DEFAULT_CATALOG)


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"quantity": 1}, "positive quantity 1"),
        ({"quantity": "-1"}, "is not whole"),
        ({"quantity": -1, "meta_data": []}, "no usable _refunded_item_id"),
    ],
)
def test_unreadable_refund_lines_make_the_order_malformed(
    item: dict[str, Any], reason: str
) -> None:
    shop = parse_order(order(), DEFAULT_CATALOG)
    refund = copy.deepcopy(body("orders_refunds_list_partial")[0])
    refund["line_items"][0].update(item)
    with pytest.raises(MalformedOrder, match=reason):
        parse_refunds(shop, [refund])


def test_not_an_object_is_malformed_without_an_id() -> None:
    with pytest.raises(MalformedOrder) as caught:
        parse_order(["not", "an", "order"], DEFAULT_CATALOG)
    assert caught.value.order_id is None


def test_dates_with_an_offset_are_honoured_and_naive_ones_read_as_utc() -> None:
    shop = parse_order(order(date_paid_gmt="2026-11-26T11:32:39+01:00"), DEFAULT_CATALOG)
    assert shop.date_paid == datetime(2026, 11, 26, 10, 32, 39, tzinfo=UTC)


def test_fingerprint_sees_content_and_refund_ids_separately() -> None:
    base = fingerprint(parse_order(order(), DEFAULT_CATALOG), PARIS)
    assert OrderFingerprint.decode(base.encode()) == base and len(base.encode()) == 64
    noted = order(date_modified_gmt="2026-11-27T00:00:00", customer_note="merci")
    assert fingerprint(parse_order(noted, DEFAULT_CATALOG), PARIS) == base
    cancelled = fingerprint(parse_order(order(status="cancelled"), DEFAULT_CATALOG), PARIS)
    assert cancelled.content != base.content and cancelled.refunds == base.refunds
    refunded = order(refunds=[{"id": 5, "reason": "", "total": "-60.00"}])
    with_refund = fingerprint(parse_order(refunded, DEFAULT_CATALOG), PARIS)
    assert with_refund.refunds != base.refunds
    other_zone = fingerprint(parse_order(order(), DEFAULT_CATALOG), ZoneInfo("UTC"))
    assert other_zone.content != base.content
