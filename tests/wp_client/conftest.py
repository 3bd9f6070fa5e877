"""Replaying captured WooCommerce/WordPress answers with ``responses``; fake sleep and clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from config import Secret
from wp_client.client_area import ClientAreaClient
from wp_client.woo import WooClient

FIXTURES = Path(__file__).parent / "fixtures" / "woocommerce-8.9.1"
SHOP = "https://127.0.0.1:8443"  # where the fixtures were captured
API = f"{SHOP}/wp-json/wc/v3"
KEY = "ck_0123456789abcdef0123456789abcdef01234567"
SECRET = "cs_fedcba9876543210fedcba9876543210fedcba98"
APP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"
# Headers the transport sets itself; replaying them would confuse the mock.
TRANSPORT_HEADERS = {"transfer-encoding", "connection", "content-length", "content-type"}


def captured(name: str) -> dict[str, Any]:
    """One captured exchange: {request, status, headers, body}."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def replay(
    rsps: responses.RequestsMock,
    method: str,
    url: str,
    name: str,
    *,
    match: Any = (),
    **overrides: Any,
) -> responses.BaseResponse:
    """Answer ``method url`` with the captured exchange ``name`` (status, headers, body).

    Captured lists were taken in the shop's default order (date desc); the client asks for
    ``orderby=id&order=asc``, so list bodies are replayed sorted by id, as the shop sends them then.
    """
    fx = captured(name)
    if isinstance(fx["body"], list):
        fx["body"].sort(key=lambda item: item["id"])
    headers = {k: v for k, v in fx["headers"].items() if k.lower() not in TRANSPORT_HEADERS}
    headers.update(overrides.pop("headers", {}))
    return rsps.add(
        method,
        url,
        body=json.dumps(fx["body"]),
        status=overrides.pop("status", fx["status"]),
        headers=headers,
        content_type=fx["headers"].get("Content-Type", "application/json; charset=UTF-8"),
        match=list(match),
        **overrides,
    )


class Sleeps(list[float]):
    """A fake ``time.sleep`` that records the delays asked for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def woo(sleeps: Sleeps) -> Iterator[WooClient]:
    client = WooClient(SHOP, Secret(KEY), Secret(SECRET), sleep=sleeps)
    yield client
    client.close()


@pytest.fixture
def area(sleeps: Sleeps) -> Iterator[ClientAreaClient]:
    client = ClientAreaClient(SHOP, "sync-daemon", Secret(APP_PASSWORD), sleep=sleeps)
    yield client
    client.close()
