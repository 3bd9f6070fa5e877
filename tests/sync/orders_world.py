"""A small world for orders-sync tests: the real sandbox shop, a real ledger, the real client.

``World.sync()`` runs ``sync_orders`` with ``now`` one second ahead of the real clock, so the
changes a test just made in the shop (stamped with the real clock) fall inside the run's frozen
window. Retry back-off sleeps are recorded instead of slept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config import Settings, load_settings
from ledger.db import Database, open_database
from ledger.domain import Lot
from ledger.records import ClientBalance, RunRecord
from ledger.store import LedgerStore
from sandbox import Sandbox
from sandbox.shop_model import Customer, Order
from sync.order_cursor import CURSOR_NAME, OrderCursor
from sync.orders import OrdersSummary, sync_orders
from wp_client.woo import WooClient

PAID_AT = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


@dataclass
class World:
    sandbox: Sandbox
    db: Database
    settings: Settings
    woo: WooClient
    sleeps: list[float] = field(default_factory=list)

    @property
    def shop(self) -> Any:
        return self.sandbox.shop

    def sync(self, **options: Any) -> OrdersSummary:
        now = options.pop("now", None) or datetime.now(UTC) + timedelta(seconds=1)
        return sync_orders(self.db, self.woo, self.settings, now=now, **options)

    def customer(self, email: str, first: str = "Camille", last: str = "Martin") -> Customer:
        customer: Customer = self.shop.add_customer(email, first, last)
        return customer

    def order(self, customer_id: int, lines: list[tuple[str, int]], **options: Any) -> Order:
        options.setdefault("paid_at", PAID_AT if options.get("status", "processing") in (
            "processing", "completed") else None)  # fmt: skip
        order: Order = self.shop.add_order(customer_id, lines, **options)
        return order

    def lots(self, order_id: int) -> list[Lot]:
        with self.db.read() as session:
            return LedgerStore(session).lots_of_order(order_id)

    def all_lots(self) -> dict[str, tuple[int, int, int, bool]]:
        """Every lot: id → (client, quantity, refunded quantity, voided)."""
        with self.db.read() as session:
            store = LedgerStore(session)
            return {
                lot.id: (lot.client_id, lot.quantity, lot.refunded_quantity, lot.voided)
                for client in store.client_ids()
                for lot in store.lots_of_client(client)
            }

    def balance(self, client_id: int) -> ClientBalance:
        with self.db.read() as session:
            return LedgerStore(session).balance(client_id)

    def cursor(self) -> OrderCursor | None:
        with self.db.read() as session:
            return OrderCursor.decode(LedgerStore(session).cursor(CURSOR_NAME))

    def last_run(self) -> RunRecord:
        with self.db.read() as session:
            return LedgerStore(session).last_runs()["orders"]

    def events(self, client_id: int) -> int:
        with self.db.read() as session:
            return len(LedgerStore(session).events(client_id))

    def list_requests(self) -> int:
        return self.sandbox.count("/wc/v3/orders")

    def last_list_query(self) -> dict[str, str]:
        """The query of the last orders listing the sandbox answered."""
        lists = [r for r in self.sandbox.requests if r.route.rstrip("/") == "/wc/v3/orders"]
        return dict(lists[-1].query)

    def requests_to(self, prefix: str) -> list[str]:
        return [r.route for r in self.sandbox.requests if r.route.startswith(prefix)]


def make_world(sandbox: Sandbox, database_url: str, **env: str) -> World:
    values = dict(line.split("=", 1) for line in sandbox.env_lines())
    values.update(ASSIST_DATABASE_URL=database_url, ASSIST_MAX_RETRIES="3")
    values.update(env)
    settings = load_settings(values, dotenv_path=None)
    db = open_database(settings.database_url)
    sleeps: list[float] = []
    woo = WooClient.from_settings(settings, sleep=sleeps.append)
    return World(sandbox, db, settings, woo, sleeps)


@pytest.fixture(name="world")
def world_fixture(empty_sandbox: Sandbox, database_url: str) -> Iterator[World]:
    """An empty shop (catalogue and no orders) and an empty ledger."""
    w = make_world(empty_sandbox, database_url)
    yield w
    w.woo.close()
    w.db.close()


@pytest.fixture(name="seeded_world")
def seeded_world_fixture(sandbox: Sandbox, database_url: str) -> Iterator[World]:
    """The seeded shop (every status, guests, refunds) and an empty ledger."""
    w = make_world(sandbox, database_url)
    yield w
    w.woo.close()
    w.db.close()
