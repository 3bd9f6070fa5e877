"""The sandbox answers like the real shop: each captured exchange replayed against it.

The sandbox is given the captured shop's story (three clients, orders 13-21 in the same states,
the same refunds, order 16 moved from on-hold to processing 70 s after the others), then every
relevant request of ``fixtures/woocommerce-8.9.1`` is made again — with real OAuth 1.0a signatures
by the ``woocommerce`` package over plain HTTP — and compared with what the real shop answered:
same status, every key of the real body present with the same JSON type (null in the real body
allows anything), same error code, the pagination headers where the real shop sent them, same
Content-Type. Totals are compared where the story makes them equal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from woocommerce import API

from sandbox import Sandbox
from sandbox.dates import gmt_text, utc_now

FIXTURES = Path(__file__).parent / "fixtures" / "woocommerce-8.9.1"  # copies, see README there

# Maps whose keys are data (one per capability...), not part of the shape.
FREE_MAPS = {"capabilities", "extra_capabilities", "woocommerce_meta"}


def real(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return loaded


@dataclass
class Story:
    """Ids in the sandbox of what the captured shop called customers 2, 3, 4 and orders 13-21."""

    sb: Sandbox
    ids: dict[str, int] = field(default_factory=dict)
    checkpoint: str = ""  # naive UTC between the orders' creation and order 16's update

    def fill(self, text: str) -> str:
        return text.format(**self.ids, checkpoint=self.checkpoint)


def build_story(sb: Sandbox, phase: int) -> Story:
    """The captured shop at a moment of its capture session.

    Phase 1: as created (13 pending, 16 on-hold). Phase 2: 16 moved to processing 70 s later (with
    a meta). Phase 3: 13 paid as well. Creation seconds follow the capture (13-16, then 17-19,
    then 20-21 and the refunds), so date and modified orderings tie and break the same way.
    """
    shop = sb.shop
    start = utc_now() - timedelta(hours=2)
    anna = shop.add_customer("anna.1@exemple.fr", "Anna", "Schmitt", at=start)
    ben = shop.add_customer("ben.2@exemple.fr", "Ben", "Muller", at=start)
    clara = shop.add_customer("clara.3@exemple.fr", "Clara", "Weber", at=start)
    for who in (anna, ben, clara):
        who.billing.update(first_name=who.first_name, last_name=who.last_name, city="Lyon")
    anna.meta += [
        {"id": 100, "key": "sync_woo_customer_id", "value": str(anna.id)},
        {"id": 101, "key": "sync_last_order_at", "value": "2026-11-26T10:40:00Z"},
    ]

    def order(customer: int, lines: list[tuple[str, int]], status: str, second: int,
              **kw: Any) -> int:  # fmt: skip
        at = start + timedelta(seconds=second)
        return shop.add_order(customer, lines, status=status, created_at=at, **kw).id

    ids = {
        "anna": anna.id,
        "ben": ben.id,
        "pending": order(anna.id, [("ASSIST-3H", 1)], "pending", 0),
        "processing": order(ben.id, [("ASSIST-5H", 1)], "processing", 0),
        "completed": order(clara.id, [("ASSIST-10H", 1)], "completed", 0),
        "on_hold": order(anna.id, [("ASSIST-3H", 1)], "on-hold", 0),
        "guest_cancelled": order(0, [("ASSIST-5H", 1)], "cancelled", 1,
                                 billing_email="invite@exemple.fr"),
        "refunded": order(ben.id, [("ASSIST-3H", 1)], "completed", 1),
        "partial": order(clara.id, [("ASSIST-10H", 1)], "completed", 1),
        "two_items": order(anna.id, [("ASSIST-3H", 1), ("ASSIST-5H", 1)], "processing", 2),
        "qty2": order(clara.id, [("ASSIST-5H", 2)], "processing", 2),
    }  # fmt: skip
    shop.edit_order(ids["processing"], meta=[("_sync_test_ref", "REF-0001")], at=start)
    later = start + timedelta(seconds=2)
    full = shop.refund(ids["refunded"], amount="180.00", reason="full refund", at=later)
    partial_line = shop.order(ids["partial"]).lines[0].id
    shop.refund(ids["partial"], {partial_line: 0}, amount="100.00", reason="2h", at=later)
    ids["refund"] = full.id
    if phase >= 2:
        moved = start + timedelta(seconds=70)
        shop.set_status(ids["on_hold"], "processing", at=moved)
        shop.edit_order(ids["on_hold"], meta=[("_sync_note", "moved")], at=moved)
    if phase >= 3:
        shop.set_status(ids["pending"], "processing", at=start + timedelta(seconds=140))
    return Story(sb, ids, gmt_text(start + timedelta(seconds=68)))


@pytest.fixture(scope="module")
def stories() -> Iterator[dict[int, Story]]:
    built: dict[int, Story] = {}
    boxes = [Sandbox(seed=3, clients=0, orders=0).start() for _ in range(3)]
    try:
        for phase, box in enumerate(boxes, start=1):
            built[phase] = build_story(box, phase)
        yield built
    finally:
        for box in boxes:
            box.stop()


@pytest.fixture
def story(stories: dict[int, Story]) -> Story:
    """The story after every capture (phase 3)."""
    return stories[3]


@dataclass(frozen=True)
class Case:
    fixture: str
    endpoint: str
    params: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    body: Any = None
    same_total: bool = False
    phase: int = 2  # the moment of the capture session (see ``build_story``)


CASES = [
    Case("orders_get_single_full_refunded", "orders/{refunded}"),
    Case("orders_get_single_guest_cancelled", "orders/{guest_cancelled}"),
    Case("orders_get_single_partial_refund", "orders/{partial}"),
    Case("orders_get_single_two_items", "orders/{two_items}"),
    Case("orders_list_customer_filter", "orders", {"customer": "{anna}"}, same_total=True, phase=1),
    Case("orders_list_include_ids", "orders",
         {"per_page": "100", "page": "1", "include": "{pending},{processing},999"},
         same_total=True, phase=3),
    Case("orders_list_modified_after_naive_utc_string", "orders",
         {"modified_after": "{checkpoint}"}, same_total=True),
    Case("orders_list_modified_after_dates_are_gmt_true", "orders",
         {"modified_after": "{checkpoint}", "dates_are_gmt": "true"}, same_total=True),
    Case("orders_list_modified_after_with_Z", "orders", {"modified_after": "{checkpoint}Z"},
         same_total=True),
    Case("orders_list_modified_after_with_plus0000", "orders",
         {"modified_after": "{checkpoint}+00:00"}, same_total=True),
    Case("orders_list_orderby_modified_asc", "orders",
         {"per_page": "100", "orderby": "modified", "order": "asc"}, same_total=True),
    Case("orders_list_per_page2_page1", "orders", {"per_page": "2", "page": "1"},
         same_total=True, phase=1),
    Case("orders_list_per_page2_page2", "orders", {"per_page": "2", "page": "2"},
         same_total=True, phase=1),
    Case("orders_list_per_page2_page5_last", "orders", {"per_page": "2", "page": "5"},
         same_total=True, phase=1),
    Case("orders_list_per_page2_page99_beyond", "orders", {"per_page": "2", "page": "99"},
         same_total=True, phase=1),
    Case("orders_list_status_processing_completed", "orders",
         {"status": "processing,completed", "per_page": "100"}, phase=1),
    Case("orders_list_status_refunded", "orders", {"status": "refunded"}, same_total=True, phase=1),
    Case("orders_list_search_email", "orders", {"search": "anna.1@exemple.fr"},
         same_total=True, phase=3),
    Case("orders_options_schema", "orders", method="OPTIONS"),
    Case("orders_refunds_list_full", "orders/{refunded}/refunds", same_total=True),
    Case("orders_refunds_list_partial", "orders/{partial}/refunds", same_total=True),
    Case("customers_get_single", "customers/{anna}"),
    Case("customers_list_filter_email", "customers", {"email": "ben.2@exemple.fr"},
         same_total=True),
    Case("customers_put_meta_data", "customers/{anna}", method="PUT",
         body={"meta_data": [{"key": "sync_external_id", "value": "EXT-42"},
                             {"key": "_private_sync_flag", "value": "yes"}]}),
    Case("customers_batch_create_update_with_errors", "customers/batch", method="POST",
         body={"create": [{"email": "dora.4@exemple.fr", "first_name": "Dora",
                           "last_name": "Fischer", "username": "dora4"},
                          {"email": "anna.1@exemple.fr", "first_name": "Dup",
                           "username": "dupanna"}],
               "update": [{"id": "{ben}", "meta_data": [{"key": "sync_external_id",
                                                          "value": "EXT-77"}]},
                          {"id": 99999, "first_name": "Nobody"}]}),
    Case("products_list_sku", "products", {"sku": "ASSIST-5H"}, same_total=True),
    Case("products_list_sku_comma_list", "products", {"sku": "ASSIST-5H,ASSIST-10H"},
         same_total=True),
    Case("products_list_sku_not_found", "products", {"sku": "NOPE-1"}, same_total=True),
    Case("error_customers_missing", "customers/999999"),
    Case("error_orders_bad_modified_after_400", "orders", {"modified_after": "yesterday"}),
    Case("error_orders_bad_status_400", "orders", {"status": "bogus"}),
    Case("error_orders_get_refund_id_as_order", "orders/{refund}", phase=3),
    Case("error_orders_missing_404", "orders/999999"),
    Case("error_orders_page0_400", "orders", {"page": "0"}),
    Case("error_orders_per_page_101_400", "orders", {"per_page": "101"}),
    Case("error_orders_refunds_missing_order", "orders/999999/refunds", same_total=True),
    Case("error_unknown_route_404", "nonexistent"),
]  # fmt: skip


def _filled(value: Any, story: Story) -> Any:
    if isinstance(value, str):
        filled = story.fill(value)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, list):
        return [_filled(v, story) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, story) for k, v in value.items()}
    return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_problems(real_value: Any, ours: Any, where: str = "$") -> list[str]:
    """Every key of ``real_value`` exists in ``ours`` with the same JSON type, recursively."""
    if real_value is None:
        return []
    if json_type(real_value) != json_type(ours):
        return [f"{where}: real is {json_type(real_value)}, sandbox is {json_type(ours)}"]
    problems: list[str] = []
    if isinstance(real_value, dict):
        if where.rsplit(".", 1)[-1] in FREE_MAPS:
            return []
        for key, value in real_value.items():
            if key not in ours:
                problems.append(f"{where}.{key}: missing in the sandbox")
            else:
                problems += shape_problems(value, ours[key], f"{where}.{key}")
    elif isinstance(real_value, list) and real_value:
        if not ours:
            return [f"{where}: real list has items, the sandbox's is empty"]
        pairs = (
            zip(real_value, ours, strict=True)
            if len(real_value) == len(ours)
            else ((real_value[0], item) for item in ours)
        )
        for index, (real_item, our_item) in enumerate(pairs):
            problems += shape_problems(real_item, our_item, f"{where}[{index}]")
    return problems


def woo(sb: Sandbox) -> API:
    return API(sb.url, sb.consumer_key, sb.consumer_secret, version="wc/v3", timeout=10)


def assert_like_real(name: str, response: requests.Response, *, same_total: bool) -> None:
    captured = real(name)
    assert response.status_code == captured["status"], response.text[:300]
    assert response.headers["Content-Type"] == captured["headers"]["Content-Type"]
    body = response.json()
    problems = shape_problems(captured["body"], body)
    assert not problems, "\n".join(problems[:20])
    if isinstance(captured["body"], dict) and "code" in captured["body"]:
        assert body["code"] == captured["body"]["code"]
        assert body["data"]["status"] == captured["body"]["data"]["status"]
    for header in ("X-WP-Total", "X-WP-TotalPages", "Link"):
        if header in captured["headers"]:
            assert header in response.headers, f"{header} missing"
    real_link = captured["headers"].get("Link", "")
    for rel in ('rel="next"', 'rel="prev"'):
        assert (rel in real_link) == (rel in response.headers.get("Link", "")), rel
    if same_total:
        assert response.headers["X-WP-Total"] == captured["headers"]["X-WP-Total"]
        assert response.headers["X-WP-TotalPages"] == captured["headers"]["X-WP-TotalPages"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fixture)
def test_sandbox_answers_like_the_captured_shop(stories: dict[int, Story], case: Case) -> None:
    story = stories[case.phase]
    api = woo(story.sb)
    endpoint = story.fill(case.endpoint)
    params = _filled(case.params, story)
    if case.method == "GET":
        response = api.get(endpoint, params=params)
    elif case.method == "OPTIONS":
        response = api.options(endpoint)
    elif case.method == "PUT":
        response = api.put(endpoint, _filled(case.body, story))
    else:
        response = api.post(endpoint, _filled(case.body, story))
    assert_like_real(case.fixture, response, same_total=case.same_total)


def test_modified_after_semantics_match_the_real_shop(stories: dict[int, Story]) -> None:
    """Naive without dates_are_gmt is shop-local (all 9); with it, or with Z / +00:00, only 16."""
    story = stories[2]
    api = woo(story.sb)
    naive = api.get("orders", params={"modified_after": story.checkpoint}).json()
    assert len(naive) == 9
    for params in (
        {"modified_after": story.checkpoint, "dates_are_gmt": "true"},
        {"modified_after": story.checkpoint + "Z"},
        {"modified_after": story.checkpoint + "+00:00"},
    ):
        rows = api.get("orders", params=params).json()
        assert [o["id"] for o in rows] == [story.ids["on_hold"]]


def test_status_list_holds_only_those_statuses(story: Story) -> None:
    rows = woo(story.sb).get("orders", params={"status": "processing,completed"}).json()
    assert rows and {o["status"] for o in rows} == {"processing", "completed"}


def _basic(sb: Sandbox, user: str, password: str, https: bool) -> requests.Response:
    headers = {"X-Forwarded-Proto": "https"} if https else {}
    return requests.get(
        f"{sb.url}/wp-json/wc/v3/orders", auth=(user, password), headers=headers, timeout=10
    )


def test_auth_errors_are_the_real_ones(story: Story) -> None:
    sb = story.sb
    assert_like_real(
        "error_orders_bad_consumer_secret",
        _basic(sb, sb.consumer_key, "cs_wrong", https=True),
        same_total=False,
    )
    assert_like_real(
        "error_orders_unknown_consumer_key",
        _basic(sb, "ck_unknown", sb.consumer_secret, https=True),
        same_total=False,
    )
    assert_like_real(
        "error_orders_basic_auth_over_plain_http",
        _basic(sb, sb.consumer_key, sb.consumer_secret, https=False),
        same_total=False,
    )
    anonymous = requests.get(f"{sb.url}/wp-json/wc/v3/orders", timeout=10)
    assert_like_real("error_orders_no_auth", anonymous, same_total=False)
    wrong_oauth = API(sb.url, sb.consumer_key, "cs_wrong", version="wc/v3").get("orders")
    assert wrong_oauth.status_code == 401
    assert wrong_oauth.json()["code"] == "woocommerce_rest_authentication_error"
    assert _basic(sb, sb.consumer_key, sb.consumer_secret, https=True).status_code == 200


def test_read_only_key_cannot_write(story: Story) -> None:
    key = story.sb.shop.add_api_key("read")
    api = API(story.sb.url, key.consumer_key, key.consumer_secret, version="wc/v3")
    response = api.put(f"orders/{story.ids['pending']}", {"status": "processing"})
    assert_like_real("error_orders_put_with_read_only_key", response, same_total=False)
    assert api.get("orders").status_code == 200


@pytest.mark.parametrize(
    ("fixture", "credentials", "params"),
    [
        ("wp_get_users_me_context_view", "daemon", {}),
        ("wp_get_users_me_context_edit", "daemon", {"context": "edit"}),
        ("error_wp_users_me_bad_app_password", "bad", {}),
        ("error_wp_users_me_no_auth", None, {}),
    ],
)
def test_users_me_like_wordpress(
    story: Story, fixture: str, credentials: str | None, params: dict[str, str]
) -> None:
    sb = story.sb
    auth = {
        "daemon": (sb.wp_username, sb.wp_app_password),
        "bad": (sb.wp_username, "abcd efgh ijkl mnop qrst uvwx"),
        None: None,
    }[credentials]
    response = requests.get(
        f"{sb.url}/wp-json/wp/v2/users/me", auth=auth, params=params, timeout=10
    )
    assert_like_real(fixture, response, same_total=False)
