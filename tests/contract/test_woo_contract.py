"""Every shop answers like the captured one: each captured exchange replayed against it.

Each shop — the sandbox, the real shop over http, the real shop over https — is given the captured
shop's story (``woo_story``: three clients, orders 13-21 in the same states, the same refunds, order
16 moved from on-hold to processing 70 s after the others), then every relevant request of
``tests/contract/fixtures/woocommerce-8.9.1`` is made again with the ``woocommerce`` package (real
OAuth 1.0a signatures over http, Basic over https) and compared with what the captured shop
answered: same status, every key of the real body present with the same JSON type (null in the real
body allows anything), same error code, the pagination headers where the real shop sent them, same
Content-Type. Order lists are narrowed to the story's orders (``include``), so the totals, compared
where the story makes them equal, are the story's own in a shared shop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.contract.shops import ContractShop
from tests.contract.woo_story import Story, build_story

FIXTURES = Path(__file__).parent / "fixtures" / "woocommerce-8.9.1"  # copies, see README there

# Maps whose keys are data (one per capability...), not part of the shape.
FREE_MAPS = {"capabilities", "extra_capabilities", "woocommerce_meta"}


def real(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module")
def stories(contract_shop: ContractShop) -> dict[int, Story]:
    """The captured story at each of its three phases, side by side in the shop."""
    return {phase: build_story(contract_shop, phase) for phase in (1, 2, 3)}


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

    def query(self, story: Story) -> dict[str, Any]:
        """The case's parameters filled for ``story``; an order list narrowed to its orders."""
        params: dict[str, Any] = story.filled(self.params)
        if self.endpoint == "orders" and self.method == "GET" and "include" not in params:
            params["include"] = ",".join(str(i) for i in story.order_ids)
        return params


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
    Case("orders_list_search_email", "orders", {"search": "{anna_email}"},
         same_total=True, phase=3),
    Case("orders_options_schema", "orders", method="OPTIONS"),
    Case("orders_refunds_list_full", "orders/{refunded}/refunds", same_total=True),
    Case("orders_refunds_list_partial", "orders/{partial}/refunds", same_total=True),
    Case("customers_get_single", "customers/{anna}"),
    Case("customers_list_filter_email", "customers", {"email": "{ben_email}"},
         same_total=True),
    Case("customers_put_meta_data", "customers/{anna}", method="PUT",
         body={"meta_data": [{"key": "sync_external_id", "value": "EXT-42"},
                             {"key": "_private_sync_flag", "value": "yes"}]}),
    Case("customers_batch_create_update_with_errors", "customers/batch", method="POST",
         body={"create": [{"email": "{dora_email}", "first_name": "Dora",
                           "last_name": "Fischer", "username": "{dora_login}"},
                          {"email": "{anna_email}", "first_name": "Dup",
                           "username": "{anna_login}-dup"}],
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
def test_each_shop_answers_like_the_captured_shop(stories: dict[int, Story], case: Case) -> None:
    story = stories[case.phase]
    api = story.shop.api()
    endpoint = story.fill(case.endpoint)
    if case.method == "GET":
        response = api.get(endpoint, params=case.query(story))
    elif case.method == "OPTIONS":
        response = api.options(endpoint)
    elif case.method == "PUT":
        response = api.put(endpoint, story.filled(case.body))
    else:
        response = api.post(endpoint, story.filled(case.body))
    assert_like_real(case.fixture, response, same_total=case.same_total)


def story_orders(story: Story, **params: str) -> list[dict[str, Any]]:
    """The story's orders the list answers with ``params`` (one page of up to 100)."""
    params.setdefault("include", ",".join(str(i) for i in story.order_ids))
    response = story.shop.get("orders", per_page=100, **params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_modified_after_semantics_match_the_real_shop(stories: dict[int, Story]) -> None:
    """Naive without dates_are_gmt is shop-local (all 9); with it, or with Z / +00:00, only 16."""
    story = stories[2]
    assert len(story_orders(story, modified_after=story.checkpoint)) == 9
    for params in (
        {"modified_after": story.checkpoint, "dates_are_gmt": "true"},
        {"modified_after": story.checkpoint + "Z"},
        {"modified_after": story.checkpoint + "+00:00"},
    ):
        rows = story_orders(story, **params)
        assert [o["id"] for o in rows] == [story.ids["on_hold"]], params


def test_status_list_holds_only_those_statuses(story: Story) -> None:
    rows = story_orders(story, status="processing,completed")
    assert rows and {o["status"] for o in rows} == {"processing", "completed"}


def basic(shop: ContractShop, key: str, secret: str, *, https: bool) -> requests.Response:
    """``GET orders`` with the key by Basic auth, over https (``X-Forwarded-Proto`` for the
    sandbox, which has no TLS of its own) or plain http."""
    headers = {"X-Forwarded-Proto": "https"} if https and shop.name == "sandbox" else {}
    return shop.raw("GET", f"{shop.url}/wp-json/wc/v3/orders", auth=(key, secret), headers=headers)


def test_basic_auth_errors_are_the_real_ones(story: Story) -> None:
    """Each real shop speaks one scheme; the sandbox is asked both ways."""
    shop = story.shop
    for https in (True, False) if shop.name == "sandbox" else (shop.https,):
        if not https:
            plain = basic(shop, shop.key, shop.secret, https=False)
            assert_like_real("error_orders_basic_auth_over_plain_http", plain, same_total=False)
            continue
        assert_like_real(
            "error_orders_bad_consumer_secret",
            basic(shop, shop.key, "cs_wrong", https=True),
            same_total=False,
        )
        assert_like_real(
            "error_orders_unknown_consumer_key",
            basic(shop, "ck_unknown", shop.secret, https=True),
            same_total=False,
        )
        assert basic(shop, shop.key, shop.secret, https=True).status_code == 200


def test_no_credentials_and_a_wrong_secret(story: Story) -> None:
    shop = story.shop
    anonymous = shop.raw("GET", f"{shop.url}/wp-json/wc/v3/orders")
    assert_like_real("error_orders_no_auth", anonymous, same_total=False)
    wrong = shop.api(secret="cs_wrong").get("orders")  # OAuth over http, Basic over https
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "woocommerce_rest_authentication_error"
    assert wrong.json()["message"] == (
        "Consumer secret is invalid."
        if shop.https
        else "Invalid signature - provided signature does not match."
    )


def test_read_only_key_cannot_write(story: Story) -> None:
    shop = story.shop
    api = shop.api(shop.read_key, shop.read_secret)
    response = api.put(f"orders/{story.ids['pending']}", {"status": "processing"})
    assert_like_real("error_orders_put_with_read_only_key", response, same_total=False)
    assert api.get("orders", params={"include": str(story.ids["pending"])}).status_code == 200


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
    contract_shop: ContractShop, fixture: str, credentials: str | None, params: dict[str, str]
) -> None:
    user, password = contract_shop.wp_auth
    auth = {"daemon": (user, password), "bad": (user, "abcd efgh ijkl mnop qrst uvwx"), None: None}
    response = contract_shop.raw(
        "GET", f"{contract_shop.url}/wp-json/wp/v2/users/me", auth=auth[credentials], params=params
    )
    assert_like_real(fixture, response, same_total=False)
