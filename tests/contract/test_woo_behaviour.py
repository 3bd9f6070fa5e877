"""What the daemon relies on in WooCommerce's REST API, asserted on every shop: the sandbox, the
real shop over http (OAuth 1.0a) and the real shop over https (Basic auth, its own CA).

Each test makes its own customers and orders (the real shop is shared by the session) and reads
back only those: by ``customer``, by ``include``, or in a window of modification dates of its
own, set exactly in a year nobody else uses.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.contract.shops import ContractShop, Dates, NewOrder, unique
from wp_client.auth import OAuth1Signature
from wp_client.woo import product_pages

PARIS = ZoneInfo("Europe/Paris")


def new_customer(shop: ContractShop, label: str = "client") -> tuple[int, str]:
    email = f"{unique(label)}@exemple.fr"
    return shop.customer(email, "Camille", label.capitalize()), email


def rows(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text[:300]
    body: list[dict[str, Any]] = response.json()
    return body


def ids(response: requests.Response) -> list[int]:
    return [int(row["id"]) for row in rows(response)]


def naive(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def a_time_of_our_own() -> datetime:
    """A whole second in 2011-2019 (UTC), in January (no summer time): a window nobody else
    writes orders into, so a modification-date filter there returns this test's orders only."""
    base = datetime(2011, 1, 3, tzinfo=UTC)
    return base + timedelta(
        days=365 * random.randrange(0, 9) + random.randrange(0, 25),
        seconds=random.randrange(3 * 3600, 20 * 3600),
    )


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["data"]["status"] == status
    return body


# ----------------------------------------------------------------------------- date window


def test_the_modification_window_is_exclusive_and_gmt_only_when_asked(
    contract_shop: ContractShop,
) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "fenetre")
    made = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)]) for _ in range(4)])
    t0 = a_time_of_our_own()
    stamps = [t0, t0 + timedelta(seconds=10), t0 + timedelta(seconds=20), t0 + timedelta(hours=2)]
    shop.set_dates({order: Dates(modified=at) for order, at in zip(made, stamps, strict=True)})

    def listed(**params: str) -> list[int]:
        return sorted(ids(shop.get("orders", customer=customer, per_page=100, **params)))

    window = {"modified_after": naive(t0), "modified_before": naive(stamps[2])}
    assert listed(**window, dates_are_gmt="true") == [made[1]]  # both bounds exclusive
    with_z = {"modified_after": naive(t0) + "Z", "modified_before": naive(stamps[3]) + "Z"}
    assert listed(**with_z) == made[1:3]  # an explicit offset is honoured
    # without dates_are_gmt a naive date is the shop's wall clock (Europe/Paris, UTC+1 here)
    local = {
        "modified_after": naive(t0.astimezone(PARIS)),
        "modified_before": naive(stamps[3].astimezone(PARIS)),
    }
    assert listed(**local) == made[1:3]
    assert listed(**window) == []  # UTC read as Paris time: an hour earlier than meant


def test_the_dates_of_an_order_are_local_and_gmt(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "dates")
    [order] = shop.orders([NewOrder(customer, [("ASSIST-5H", 1)])])
    at = a_time_of_our_own()
    shop.set_dates({order: Dates(created=at, modified=at + timedelta(minutes=5), paid=at)})
    body = shop.get(f"orders/{order}").json()
    assert body["date_created_gmt"] == naive(at)
    assert body["date_created"] == naive(at.astimezone(PARIS))
    assert body["date_modified_gmt"] == naive(at + timedelta(minutes=5))
    assert body["date_paid_gmt"] == naive(at) and body["date_paid"] == naive(at.astimezone(PARIS))
    assert body["date_completed_gmt"] is None


# --------------------------------------------------------------------- statuses, filters


def test_status_customer_and_the_trash(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "statuts")
    other, _ = new_customer(shop, "autre")
    statuses = ["pending", "processing", "completed", "on-hold", "cancelled", "failed"]
    made = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)], status) for status in statuses])
    [theirs] = shop.orders([NewOrder(other, [("ASSIST-3H", 1)])])
    by_status = dict(zip(statuses, made, strict=True))

    mine = shop.get("orders", customer=customer, per_page=100)
    assert sorted(ids(mine)) == sorted(made) and theirs not in ids(mine)
    paid = shop.get("orders", customer=customer, status="processing,completed")
    assert sorted(ids(paid)) == sorted([by_status["processing"], by_status["completed"]])
    assert {row["status"] for row in rows(paid)} == {"processing", "completed"}
    for row in rows(mine):
        assert row["customer_id"] == customer
        assert row["status"] == statuses[made.index(row["id"])]

    shop.trash(by_status["failed"])
    assert by_status["failed"] not in ids(shop.get("orders", customer=customer, status="any"))
    trashed = shop.get("orders", customer=customer, status="trash")
    assert ids(trashed) == [by_status["failed"]] and rows(trashed)[0]["status"] == "trash"


def test_a_checkout_draft_is_listed_by_any_and_never_paid(contract_shop: ContractShop) -> None:
    """The block checkout's drafts (``checkout-draft``) show in ``status=any``: not an order a
    client has placed, never paid."""
    shop = contract_shop
    customer, _ = new_customer(shop, "brouillon")
    [draft] = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)], "checkout-draft")])
    [row] = rows(shop.get("orders", customer=customer))
    assert (row["id"], row["status"], row["date_paid_gmt"]) == (draft, "checkout-draft", None)


def test_a_paid_status_may_come_without_a_payment_date(contract_shop: ContractShop) -> None:
    """WooCommerce stamps date_paid only on reaching "payment complete": ``processing``, or
    ``completed`` for orders of virtual and downloadable products alone. Such an order moved to
    ``processing`` by hand (a bank transfer received) is paid and has no date_paid."""
    shop = contract_shop
    sku = unique("DL").upper()
    shop.product(sku, "Pack téléchargeable", "100.00", downloadable=True)
    customer, _ = new_customer(shop, "telechargement")
    [by_hand, at_once] = shop.orders(
        [NewOrder(customer, [(sku, 1)], "on-hold"), NewOrder(customer, [(sku, 1)])]
    )
    shop.set_status(by_hand, "processing")
    moved = shop.get(f"orders/{by_hand}").json()
    assert (moved["status"], moved["date_paid_gmt"], moved["date_completed_gmt"]) == (
        "processing",
        None,
        None,
    )
    paid = shop.get(f"orders/{at_once}").json()  # set_paid: completed at once, dated
    assert paid["status"] == "completed" and paid["date_paid_gmt"] is not None
    assert paid["date_completed_gmt"] is not None


def test_orderby_and_order(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "tri")
    made = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)]) for _ in range(3)])
    t0 = a_time_of_our_own()
    # created oldest-first, modified the other way round, the first two modified together
    shop.set_dates(
        {
            made[0]: Dates(created=t0, modified=t0 + timedelta(hours=3)),
            made[1]: Dates(created=t0 + timedelta(hours=1), modified=t0 + timedelta(hours=3)),
            made[2]: Dates(created=t0 + timedelta(hours=2), modified=t0 + timedelta(hours=2)),
        }
    )

    def listed(**params: str) -> list[int]:
        return ids(shop.get("orders", customer=customer, **params))

    def groups(order: list[int]) -> list[set[int]]:
        """``order`` cut where the modification date changes: WooCommerce (HPOS) sets no
        tie-breaker, so orders modified in the same second come in no promised order."""
        return [{order[0]}, set(order[1:])] if order[0] == made[2] else [set(order[:2]), {order[2]}]

    assert listed() == [made[2], made[1], made[0]]  # default: date, newest first
    assert listed(orderby="id", order="asc") == made
    assert listed(orderby="id", order="desc") == made[::-1]
    assert listed(orderby="date", order="asc") == made
    assert groups(listed(orderby="modified", order="asc")) == [{made[2]}, {made[0], made[1]}]
    assert groups(listed(orderby="modified", order="desc")) == [{made[0], made[1]}, {made[2]}]


# ------------------------------------------------------------------------------ pagination


def link_targets(response: requests.Response) -> dict[str, dict[str, list[str]]]:
    """rel → query of the ``Link`` header's URLs (``next``/``prev``)."""
    found: dict[str, dict[str, list[str]]] = {}
    for part in response.headers.get("Link", "").split(","):
        if ";" not in part:
            continue
        url, rel = part.split(";", 1)
        name = rel.strip().removeprefix("rel=").strip('"')
        found[name] = parse_qs(urlsplit(url.strip().strip("<>")).query)
    return found


def test_pages_their_headers_and_links(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "pages")
    made = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)]) for _ in range(5)])
    seen: list[int] = []
    for page in (1, 2, 3):
        response = shop.get(
            "orders", customer=customer, per_page=2, page=page, orderby="id", order="asc"
        )
        assert response.headers["X-WP-Total"] == "5"
        assert response.headers["X-WP-TotalPages"] == "3"
        links = link_targets(response)
        assert ("next" in links) == (page < 3) and ("prev" in links) == (page > 1)
        for rel, step in (("next", 1), ("prev", -1)):
            if rel in links:
                assert links[rel]["page"] == [str(page + step)]
                assert links[rel]["customer"] == [str(customer)]
                assert links[rel]["per_page"] == ["2"]
        seen += ids(response)
    assert seen == made
    beyond = shop.get("orders", customer=customer, per_page=2, page=4)
    assert rows(beyond) == []
    assert beyond.headers["X-WP-Total"] == "0" and beyond.headers["X-WP-TotalPages"] == "0"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"status": "paid"}, "status"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"orderby": "total"}, "orderby"),
        ({"customer": "abc"}, "customer"),
    ],
)
def test_invalid_list_parameters_are_400(
    contract_shop: ContractShop, params: dict[str, str], name: str
) -> None:
    body = assert_error(contract_shop.get("orders", **params), 400, "rest_invalid_param")
    assert list(body["data"]["params"]) == [name]
    assert body["message"] == f"Invalid parameter(s): {name}"


# -------------------------------------------------------------------------------- refunds


def test_refunds_by_line_and_by_amount(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "rembourse")
    two, whole = shop.orders(
        [
            NewOrder(customer, [("ASSIST-5H", 2)]),
            NewOrder(customer, [("ASSIST-3H", 1)], "completed"),
        ]
    )
    [line] = shop.line_ids(two)
    one_pack = shop.refund(two, {line: (1, "285.00")}, amount="285.00", reason="un pack")
    amount_only = shop.refund(two, {}, amount="10.00", reason="geste")
    [whole_line] = shop.line_ids(whole)
    shop.refund(whole, {whole_line: (1, "180.00")}, amount="180.00")

    listed = rows(shop.get(f"orders/{two}/refunds"))
    by_id = {r["id"]: r for r in listed}
    assert sorted(by_id) == sorted([one_pack, amount_only])
    assert (by_id[one_pack]["amount"], by_id[one_pack]["reason"]) == ("285.00", "un pack")
    [item] = by_id[one_pack]["line_items"]
    assert item["quantity"] == -1 and item["sku"] == "ASSIST-5H" and item["total"] == "-285.00"
    meta = {m["key"]: m["value"] for m in item["meta_data"]}
    assert meta["_refunded_item_id"] == str(line)
    assert by_id[amount_only]["line_items"] == []

    order = shop.get(f"orders/{two}").json()
    assert order["status"] == "processing"  # a partial refund keeps the status
    assert sorted((r["id"], r["total"]) for r in order["refunds"]) == sorted(
        [(amount_only, "-10.00"), (one_pack, "-285.00")]
    )
    assert shop.get(f"orders/{whole}").json()["status"] == "refunded"
    assert_error(shop.get(f"orders/{one_pack}"), 404, "woocommerce_rest_shop_order_invalid_id")
    assert rows(shop.get("orders/999999/refunds")) == []


def test_deleting_a_refund_leaves_the_modification_date(contract_shop: ContractShop) -> None:
    """The order loses its refund but keeps its ``date_modified``: an incremental read by
    modification date never sees it, only a full reconciliation does."""
    shop = contract_shop
    customer, _ = new_customer(shop, "annule")
    [order] = shop.orders([NewOrder(customer, [("ASSIST-5H", 2)])])
    [line] = shop.line_ids(order)
    refund = shop.refund(order, {line: (1, "285.00")}, amount="285.00")
    before = a_time_of_our_own()
    shop.set_dates({order: Dates(modified=before)})
    shop.delete_refund(order, refund)
    after = shop.get(f"orders/{order}").json()
    assert after["refunds"] == [] and after["status"] == "processing"
    assert after["date_modified_gmt"] == naive(before)
    assert rows(shop.get(f"orders/{order}/refunds")) == []


# ------------------------------------------------------------------------------ customers


def test_customers_by_id_by_email_and_role(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, email = new_customer(shop, "fiche")
    subscriber_email = f"{unique('abonne')}@exemple.fr"
    subscriber = shop.customer(subscriber_email, "Sam", "Abonné", role="subscriber")

    one = shop.get(f"customers/{customer}").json()
    assert (one["id"], one["email"], one["role"]) == (customer, email, "customer")
    assert ids(shop.get("customers", email=email)) == [customer]
    assert ids(shop.get("customers", email=email.upper())) == [customer]  # any case
    other_domain = email.replace("@exemple.fr", "@exemple.com")
    assert ids(shop.get("customers", email=other_domain)) == []  # the whole address
    assert ids(shop.get("customers", email=subscriber_email)) == []  # customers only...
    everyone = rows(shop.get("customers", email=subscriber_email, role="all"))
    assert [(c["id"], c["role"]) for c in everyone] == [(subscriber, "subscriber")]  # ...or all
    assert_error(shop.get("customers/999999"), 404, "woocommerce_rest_invalid_id")


def test_a_deleted_account_leaves_guest_orders(contract_shop: ContractShop) -> None:
    """Deleting a user turns their orders into guest orders (customer_id 0, the billing e-mail
    kept) modified now: the next incremental read sees them."""
    shop = contract_shop
    customer, email = new_customer(shop, "parti")
    [order] = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)])])
    before = a_time_of_our_own()
    shop.set_dates({order: Dates(modified=before)})
    shop.delete_customer(customer)
    after = shop.get(f"orders/{order}").json()
    assert (after["customer_id"], after["billing"]["email"], after["status"]) == (
        0,
        email,
        "processing",
    )
    assert after["date_modified_gmt"] > naive(before)
    assert_error(shop.get(f"customers/{customer}"), 404, "woocommerce_rest_invalid_id")


# ------------------------------------------------------------------------------- products


def test_products_by_sku(contract_shop: ContractShop) -> None:
    shop = contract_shop
    listed = rows(shop.get("products", sku="ASSIST-5H,ASSIST-10H,NOPE-1", per_page=100))
    assert sorted(p["sku"] for p in listed) == ["ASSIST-10H", "ASSIST-5H"]
    for product in listed:
        assert product["status"] == "publish" and product["type"] == "simple"
        assert product["permalink"].startswith(shop.url + "/") and "?" not in product["permalink"]
    [one] = rows(shop.get("products", sku="ASSIST-3H"))
    assert one["sku"] == "ASSIST-3H"
    assert rows(shop.get("products", sku="ASSIST")) == []  # exact SKUs, not a search
    assert_error(shop.get("products/999999"), 404, "woocommerce_rest_product_invalid_id")


def test_a_sku_filter_finds_variations_too(contract_shop: ContractShop) -> None:
    """A pack sold as a variation of a variable product is found by its SKU, with the
    parent's page (the variation chosen) as its permalink: what the warnings link to."""
    shop = contract_shop
    sku = unique("V20H").upper()
    name = f"Pack Agence {secrets.token_hex(3)}"
    variation = shop.variation(name, "Durée", "20 heures", sku, "1050.00")
    [found] = rows(shop.get("products", sku=f"{sku},ASSIST-3H-NOPE"))
    assert (found["id"], found["type"], found["status"], found["sku"]) == (
        variation,
        "variation",
        "publish",
        sku,
    )
    parent = shop.get(f"products/{found['parent_id']}").json()
    assert parent["type"] == "variable" and parent["name"] == name
    assert found["permalink"] == f"{parent['permalink']}?attribute_duree=20+heures"
    assert product_pages([found], [sku])[sku].url == found["permalink"]
    assert ids(shop.get("products", include=found["parent_id"])) == [found["parent_id"]]


# -------------------------------------------------------------------- errors, credentials


def test_unknown_things_are_404(contract_shop: ContractShop) -> None:
    shop = contract_shop
    assert_error(shop.get("orders/999999"), 404, "woocommerce_rest_shop_order_invalid_id")
    assert_error(shop.get("no-such-route"), 404, "rest_no_route")


def test_wrong_credentials_are_401(contract_shop: ContractShop) -> None:
    shop = contract_shop
    unknown = shop.api(key="ck_" + "0" * 40).get("orders")
    wrong_secret = shop.api(secret="cs_" + "0" * 40).get("orders")
    if shop.https:  # Basic: an unknown key is an anonymous request
        assert_error(unknown, 401, "woocommerce_rest_cannot_view")
        body = assert_error(wrong_secret, 401, "woocommerce_rest_authentication_error")
        assert body["message"] == "Consumer secret is invalid."
    else:
        body = assert_error(unknown, 401, "woocommerce_rest_authentication_error")
        assert body["message"] == "Consumer key is invalid."
        body = assert_error(wrong_secret, 401, "woocommerce_rest_authentication_error")
        assert body["message"] == "Invalid signature - provided signature does not match."


def test_a_read_key_cannot_write(contract_shop: ContractShop) -> None:
    shop = contract_shop
    customer, _ = new_customer(shop, "lecture")
    [order] = shop.orders([NewOrder(customer, [("ASSIST-3H", 1)], "pending")])
    reader = shop.api(shop.read_key, shop.read_secret)
    assert ids(reader.get("orders", params={"customer": customer})) == [order]
    body = assert_error(
        reader.put(f"orders/{order}", {"status": "processing"}),
        401,
        "woocommerce_rest_authentication_error",
    )
    assert body["message"] == "The API key provided does not have write permissions."
    assert shop.get(f"orders/{order}").json()["status"] == "pending"


# -------------------------------------------------------------------------------- OAuth


def signed(shop: ContractShop, *, clock: float | None = None) -> str:
    """A GET orders URL signed with OAuth 1.0a (query string), at ``clock`` (default now)."""
    auth = OAuth1Signature(shop.key, shop.secret, clock=lambda: clock or time.time())
    prepared = requests.Request("GET", f"{shop.url}/wp-json/wc/v3/orders", params={"per_page": 1})
    return str(auth(prepared.prepare()).url)


def test_oauth_nonce_is_accepted_once(contract_shop: ContractShop) -> None:
    """Over http and https alike (WooCommerce takes OAuth 1.0a when no Basic auth came)."""
    url = signed(contract_shop)
    assert contract_shop.raw("GET", url).status_code == 200
    replay = assert_error(
        contract_shop.raw("GET", url), 401, "woocommerce_rest_authentication_error"
    )
    assert replay["message"] == "Invalid nonce - nonce has already been used."


@pytest.mark.parametrize(("offset", "accepted"), [(-14 * 60, True), (-16 * 60, False),
                                                   (14 * 60, True), (16 * 60, False)])  # fmt: skip
def test_oauth_timestamps_within_15_minutes(
    contract_shop: ContractShop, offset: int, accepted: bool
) -> None:
    response = contract_shop.raw("GET", signed(contract_shop, clock=time.time() + offset))
    if accepted:
        assert response.status_code == 200, response.text
    else:
        body = assert_error(response, 401, "woocommerce_rest_authentication_error")
        assert body["message"] == "Invalid timestamp."
