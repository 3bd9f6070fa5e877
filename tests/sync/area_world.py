"""A small world for client-area and accounts tests: the real sandbox (shop and client area),
a real ledger (SQLite or PostgreSQL), the real HTTP clients.

Times are explicit: a test stamps its changes with ``at=`` relative to ``T0`` (one hour after
the sandbox's anchor, later than every seeded row) and passes ``now`` to each sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from config import Settings, load_settings
from ledger.db import Database, open_database
from ledger.domain import TimeEntry
from ledger.records import ClientBalance
from ledger.store import LedgerStore
from sandbox import Sandbox
from sync.accounts import AccountsSummary, sync_accounts
from sync.client_area import ClientAreaSummary, sync_client_area
from sync.orders import sync_orders
from wp_client.client_area import ClientAreaClient
from wp_client.woo import WooClient


@dataclass
class AreaWorld:
    sandbox: Sandbox
    db: Database
    settings: Settings
    woo: WooClient
    area: ClientAreaClient
    sleeps: list[float] = field(default_factory=list)

    @property
    def t0(self) -> datetime:
        return self.sandbox.anchor + timedelta(hours=1)

    def at(self, minutes: int) -> datetime:
        return self.t0 + timedelta(minutes=minutes)

    def orders(self, minutes: int = 0) -> None:
        sync_orders(self.db, self.woo, self.settings, now=self.at(minutes))

    def pull(self, minutes: int, **options: Any) -> ClientAreaSummary:
        return sync_client_area(self.db, self.area, self.settings, now=self.at(minutes), **options)

    def push(self, minutes: int, **options: Any) -> AccountsSummary:
        return sync_accounts(self.db, self.area, self.settings, now=self.at(minutes), **options)

    def entries(self, client_id: int) -> dict[str, TimeEntry]:
        with self.db.read() as session:
            return {e.id: e for e in LedgerStore(session).entries_of_client(client_id)}

    def balance(self, client_id: int) -> ClientBalance:
        with self.db.read() as session:
            return LedgerStore(session).balance(client_id)

    def store_value(self, read: Any) -> Any:
        with self.db.read() as session:
            return read(LedgerStore(session))

    def live_remote_entries(self, client_id: int | None = None) -> dict[str, Any]:
        return {
            f"wp-{e.id}": e
            for e in self.sandbox.area.entries.values()
            if not e.deleted and (client_id is None or e.client_id == client_id)
        }


def make_area_world(sandbox: Sandbox, database_url: str, **env: str) -> AreaWorld:
    values = dict(line.split("=", 1) for line in sandbox.env_lines())
    values.update(ASSIST_DATABASE_URL=database_url, ASSIST_MAX_RETRIES="0")
    values.update(env)
    settings = load_settings(values, dotenv_path=None)
    db = open_database(settings.database_url)
    sleeps: list[float] = []
    woo = WooClient.from_settings(settings, sleep=sleeps.append)
    area = ClientAreaClient.from_settings(settings, sleep=sleeps.append)
    return AreaWorld(sandbox, db, settings, woo, area, sleeps)


@pytest.fixture(name="area_world")
def area_world_fixture(sandbox: Sandbox, database_url: str) -> Iterator[AreaWorld]:
    """The seeded sandbox (orders, tickets, entries) and an empty ledger."""
    world = make_area_world(sandbox, database_url)
    yield world
    world.area.close()
    world.woo.close()
    world.db.close()


@pytest.fixture(name="empty_area_world")
def empty_area_world_fixture(empty_sandbox: Sandbox, database_url: str) -> Iterator[AreaWorld]:
    """A sandbox with its customers but no orders, tickets or entries; an empty ledger."""
    world = make_area_world(empty_sandbox, database_url)
    yield world
    world.area.close()
    world.woo.close()
    world.db.close()
