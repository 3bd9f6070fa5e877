"""The shops the WooCommerce contract runs against, behind one small interface.

``ContractShop`` is what a contract test needs: the address and keys, a ``woocommerce`` client
(OAuth 1.0a over http, Basic over https, the shop's CA trusted), and ways to make data —
customers, orders in a given status, refunds by line, meta, and exact dates (backdating).
``SandboxShop`` makes them in the sandbox's memory; ``RealShop`` makes them the way an agency's
shop gets them: through WooCommerce's REST API (orders with ``set_paid``, refunds with
``line_items``), and through ``wp-eval.php`` only for what REST cannot do (dates, a user who is
not a customer). The real shop is shared by the whole test session: data is told apart by its
own customers (unique e-mails) and by ``include``/``customer`` filters, never by assuming the
shop is empty.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from woocommerce import API

from sandbox import Sandbox
from tests.realshop.instance import Instance

PAID = frozenset({"processing", "completed"})


@dataclass(frozen=True)
class NewOrder:
    """An order to make: ``customer`` 0 is a guest; ``paid`` orders get ``set_paid``."""

    customer: int
    lines: Sequence[tuple[str, int]]
    status: str = "processing"
    billing_email: str | None = None


@dataclass(frozen=True)
class Dates:
    """Exact dates (aware) to give an order or a refund; None leaves one as it is."""

    created: datetime | None = None
    modified: datetime | None = None
    paid: datetime | None = None


@dataclass
class ContractShop:
    """A shop under contract. Subclasses make the data."""

    name: str
    url: str
    key: str
    secret: str
    read_key: str
    read_secret: str
    wp_auth: tuple[str, str]  # a shop manager's user name and Application Password
    verify: str | bool = True

    @property
    def https(self) -> bool:
        return self.url.startswith("https://")

    def api(self, key: str | None = None, secret: str | None = None) -> API:
        """WooCommerce's own Python client: OAuth 1.0a signatures over http, Basic over https."""
        return API(
            self.url,
            key or self.key,
            secret or self.secret,
            version="wc/v3",
            timeout=60,
            verify_ssl=self.verify,
        )

    def get(self, endpoint: str, **params: object) -> requests.Response:
        """``GET wc/v3/<endpoint>`` with the read/write key."""
        response: requests.Response = self.api().get(
            endpoint, params={k: str(v) for k, v in params.items()}
        )
        return response

    def raw(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """A request exactly as given (no signing), trusting the shop's CA."""
        return requests.request(method, url, timeout=60, verify=self.verify, **kwargs)

    # --- data (subclasses) ---------------------------------------------------------------

    def customer(
        self, email: str, first: str = "", last: str = "", *, role: str = "customer"
    ) -> int:
        """A new user of the shop (a WooCommerce customer unless ``role`` says otherwise)."""
        raise NotImplementedError

    def customer_meta(self, customer_id: int, meta: Mapping[str, str]) -> None:
        """Add meta data to a customer (what a plugin of the shop would)."""
        body = {"meta_data": [{"key": k, "value": v} for k, v in meta.items()]}
        response = self.api().put(f"customers/{customer_id}", body)
        assert response.status_code == 200, response.text

    def product(self, sku: str, name: str, price: str, *, downloadable: bool = False) -> int:
        """A new published, virtual product (``downloadable`` too: it needs no processing)."""
        raise NotImplementedError

    def variation(self, parent: str, attribute: str, option: str, sku: str, price: str) -> int:
        """A new variable product ``parent`` whose one variation (``attribute`` = ``option``)
        carries ``sku``; returns the variation's id."""
        raise NotImplementedError

    def orders(self, specs: Sequence[NewOrder]) -> list[int]:
        """Place orders as REST does: a paid status is asked with ``set_paid``, which moves an
        order to "payment complete" — ``completed`` when it holds only downloadable products."""
        raise NotImplementedError

    def line_ids(self, order_id: int) -> list[int]:
        body = self.get(f"orders/{order_id}").json()
        return [int(line["id"]) for line in body["line_items"]]

    def set_status(self, order_id: int, status: str) -> None:
        raise NotImplementedError

    def refund(
        self, order_id: int, lines: Mapping[int, tuple[int, str]], *, amount: str, reason: str = ""
    ) -> int:
        """Refund ``amount``, typed against ``lines`` ({line id: (packs, amount)}); a line of 0
        packs carries an amount only, as the admin screen allows."""
        raise NotImplementedError

    def add_meta(self, order_id: int, key: str, value: str) -> None:
        raise NotImplementedError

    def delete_refund(self, order_id: int, refund_id: int) -> None:
        raise NotImplementedError

    def delete_customer(self, customer_id: int) -> None:
        raise NotImplementedError

    def trash(self, order_id: int) -> None:
        raise NotImplementedError

    def set_dates(self, dates: Mapping[int, Dates]) -> None:
        """Give orders (and refunds, by their id) exact dates, in one go."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the shop holds (the sandbox stops)."""


def unique(label: str) -> str:
    """``label`` made unique in a shared shop, e.g. for an e-mail's local part."""
    return f"{label}.{secrets.token_hex(4)}"


# --------------------------------------------------------------------------------- sandbox


class SandboxShop(ContractShop):
    """The project's own emulator, started for the module and changed in memory."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(
            name="sandbox",
            url=sandbox.url,
            key=sandbox.consumer_key,
            secret=sandbox.consumer_secret,
            read_key="",
            read_secret="",
            wp_auth=(sandbox.wp_username, sandbox.wp_app_password),
        )
        self.sb = sandbox
        read = sandbox.shop.add_api_key("read")
        self.read_key, self.read_secret = read.consumer_key, read.consumer_secret

    def customer(
        self, email: str, first: str = "", last: str = "", *, role: str = "customer"
    ) -> int:
        made = self.sb.shop.add_customer(email, first, last, role=role)
        return int(made.id)

    def product(self, sku: str, name: str, price: str, *, downloadable: bool = False) -> int:
        return int(self.sb.shop.add_product(name, sku, price, downloadable=downloadable).id)

    def variation(self, parent: str, attribute: str, option: str, sku: str, price: str) -> int:
        shop = self.sb.shop
        made = shop.add_product(parent, "", "0", type="variable")
        child = shop.add_product(
            f"{parent} - {option}",
            sku,
            price,
            type="variation",
            parent_id=made.id,
            attribute=(attribute, option),
        )
        return int(child.id)

    def orders(self, specs: Sequence[NewOrder]) -> list[int]:
        made = []
        shop = self.sb.shop
        for spec in specs:
            status = spec.status
            if status == "processing" and all(
                shop.product_by_sku(sku).downloadable for sku, _ in spec.lines
            ):
                status = "completed"  # set_paid: payment complete, nothing to process
            order = shop.add_order(
                spec.customer, list(spec.lines), status=status, billing_email=spec.billing_email
            )
            made.append(int(order.id))
        return made

    def set_status(self, order_id: int, status: str) -> None:
        self.sb.shop.set_status(order_id, status)

    def refund(
        self, order_id: int, lines: Mapping[int, tuple[int, str]], *, amount: str, reason: str = ""
    ) -> int:
        packs = {line: qty for line, (qty, _) in lines.items()}
        return int(self.sb.shop.refund(order_id, packs, amount=Decimal(amount), reason=reason).id)

    def add_meta(self, order_id: int, key: str, value: str) -> None:
        self.sb.shop.edit_order(order_id, meta=[(key, value)])

    def delete_refund(self, order_id: int, refund_id: int) -> None:
        self.sb.shop.delete_refund(order_id, refund_id)

    def delete_customer(self, customer_id: int) -> None:
        self.sb.shop.delete_customer(customer_id)

    def trash(self, order_id: int) -> None:
        self.sb.shop.trash(order_id)

    def set_dates(self, dates: Mapping[int, Dates]) -> None:
        for item, d in dates.items():
            self.sb.shop.set_dates(item, created=d.created, modified=d.modified, paid=d.paid)

    def close(self) -> None:
        self.sb.stop()


# ---------------------------------------------------------------------------------- real


SET_DATES_PHP = r"""
global $wpdb;
foreach ($args as $d) {
    $o = wc_get_order($d['id']);
    if (!$o) { fwrite(STDERR, "no order {$d['id']}"); exit(1); }
    if ($d['created'] !== null) { $o->set_date_created($d['created']); }
    if ($d['paid'] !== null) { $o->set_date_paid($d['paid']); }
    $o->save();
}
// every save moves date_updated_gmt to now: set it last, in the HPOS table itself
foreach ($args as $d) {
    if ($d['modified'] !== null) {
        $wpdb->update(
            $wpdb->prefix . 'wc_orders',
            ['date_updated_gmt' => gmdate('Y-m-d H:i:s', $d['modified'])],
            ['id' => $d['id']]
        );
    }
}
echo wp_json_encode(true);
"""

NEW_USER_PHP = r"""
$id = wp_insert_user([
    'user_login' => $args['login'], 'user_email' => $args['email'],
    'user_pass' => wp_generate_password(), 'role' => $args['role'],
    'first_name' => $args['first'], 'last_name' => $args['last'],
]);
if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
echo wp_json_encode($id);
"""


class RealShop(ContractShop):
    """A real WooCommerce 8.9.1 (``tests/realshop``), shared by the session."""

    def __init__(self, instance: Instance) -> None:
        env = instance.env
        super().__init__(
            name="real-https" if instance.tls else "real-http",
            url=env["WOO_URL"],
            key=env["WOO_CONSUMER_KEY"],
            secret=env["WOO_CONSUMER_SECRET"],
            read_key=env["WOO_READ_KEY"],
            read_secret=env["WOO_READ_SECRET"],
            wp_auth=(env["WP_USERNAME"], env["WP_APP_PASSWORD"]),
            verify=instance.verify,
        )
        self.instance = instance
        self.products: dict[str, int] = {}

    def _ok(self, response: requests.Response, *statuses: int) -> Any:
        if response.status_code not in (statuses or (200, 201)):
            raise AssertionError(f"{response.request.method} {response.url}: {response.text[:500]}")
        return response.json()

    def customer(
        self,
        email: str,
        first: str = "",
        last: str = "",
        *,
        role: str = "customer",
        password: str | None = None,
    ) -> int:
        """``password``: the customer can log in (user name: the e-mail's local part)."""
        if role != "customer":  # REST makes customers only
            login = email.split("@")[0]
            values = {"login": login, "email": email, "first": first, "last": last, "role": role}
            return int(self.instance.php_json(NEW_USER_PHP, values))
        body: dict[str, Any] = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "billing": {"first_name": first, "last_name": last, "email": email, "city": "Lyon"},
        }
        if password is not None:
            body.update(username=email.split("@")[0], password=password)
        return int(self._ok(self.api().post("customers", body))["id"])

    def product(self, sku: str, name: str, price: str, *, downloadable: bool = False) -> int:
        body = {
            "name": name,
            "sku": sku,
            "regular_price": price,
            "virtual": True,
            "downloadable": downloadable,
        }
        self.products[sku] = int(self._ok(self.api().post("products", body))["id"])
        return self.products[sku]

    def variation(self, parent: str, attribute: str, option: str, sku: str, price: str) -> int:
        variable = {
            "name": parent,
            "type": "variable",
            "attributes": [{"name": attribute, "options": [option], "variation": True}],
        }
        parent_id = int(self._ok(self.api().post("products", variable))["id"])
        child = {
            "sku": sku,
            "regular_price": price,
            "virtual": True,
            "attributes": [{"name": attribute, "option": option}],
        }
        made = self._ok(self.api().post(f"products/{parent_id}/variations", child))
        self.products[sku] = int(made["id"])
        return self.products[sku]

    def orders(self, specs: Sequence[NewOrder]) -> list[int]:
        create = [self._order_body(spec) for spec in specs]
        made: list[int] = []
        for start in range(0, len(create), 50):
            answer = self._ok(
                self.api().post("orders/batch", {"create": create[start : start + 50]})
            )
            for item in answer["create"]:
                if "error" in item:
                    raise AssertionError(f"order not created: {item['error']}")
                made.append(int(item["id"]))
        return made

    def _order_body(self, spec: NewOrder) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customer_id": spec.customer,
            "set_paid": spec.status in PAID,
            "line_items": [
                {
                    "product_id": self.products.get(sku) or self.instance.product_id(sku),
                    "quantity": qty,
                }
                for sku, qty in spec.lines
            ],
        }
        if spec.status != "processing":  # processing: what set_paid makes of a pending order
            body["status"] = spec.status
        if spec.billing_email is not None:
            body["billing"] = {"email": spec.billing_email, "first_name": "Invité"}
        return body

    def set_status(self, order_id: int, status: str) -> None:
        self._ok(self.api().put(f"orders/{order_id}", {"status": status}))

    def refund(
        self, order_id: int, lines: Mapping[int, tuple[int, str]], *, amount: str, reason: str = ""
    ) -> int:
        body = {
            "amount": amount,
            "reason": reason,
            "api_refund": False,  # no payment gateway: record the refund only
            "line_items": [
                {"id": line, "quantity": qty, "refund_total": total}
                for line, (qty, total) in lines.items()
            ],
        }
        return int(self._ok(self.api().post(f"orders/{order_id}/refunds", body))["id"])

    def add_meta(self, order_id: int, key: str, value: str) -> None:
        self._ok(
            self.api().put(f"orders/{order_id}", {"meta_data": [{"key": key, "value": value}]})
        )

    def trash(self, order_id: int) -> None:
        self._ok(self.api().delete(f"orders/{order_id}"))  # without force: to the trash

    def delete_refund(self, order_id: int, refund_id: int) -> None:
        path = f"orders/{order_id}/refunds/{refund_id}"
        self._ok(self.api().delete(path, params={"force": "true"}))

    def delete_customer(self, customer_id: int) -> None:
        self._ok(self.api().delete(f"customers/{customer_id}", params={"force": "true"}))

    def set_dates(self, dates: Mapping[int, Dates]) -> None:
        def stamp(moment: datetime | None) -> int | None:
            return None if moment is None else int(moment.astimezone(UTC).timestamp())

        rows = [
            {"id": item, "created": stamp(d.created), "modified": stamp(d.modified),
             "paid": stamp(d.paid)}
            for item, d in dates.items()
        ]  # fmt: skip
        self.instance.php_json(SET_DATES_PHP, rows)
