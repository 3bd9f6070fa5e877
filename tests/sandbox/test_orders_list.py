"""Orders list of the sandbox: filters, ordering and pagination, through real OAuth requests."""

from __future__ import annotations

from typing import Any

import requests
from woocommerce import API

from sandbox import Sandbox


def woo(sb: Sandbox) -> API:
    return API(sb.url, sb.consumer_key, sb.consumer_secret, version="wc/v3", timeout=10)


def get(sb: Sandbox, endpoint: str, **params: Any) -> requests.Response:
    response: requests.Response = woo(sb).get(endpoint, params=params)
    return response


def all_ids(sb: Sandbox, **params: Any) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        rows = get(sb, "orders", page=page, per_page=7, **params).json()
        if not rows:
            return ids
        ids += [row["id"] for row in rows]
        page += 1


def test_default_lists_every_order_but_trash_newest_first(sandbox: Sandbox) -> None:
    response = get(sandbox, "orders", per_page=100)
    assert response.status_code == 200
    expected = sorted(
        (o for o in sandbox.shop.orders.values() if o.status != "trash"),
        key=lambda o: (o.created, o.id),
        reverse=True,
    )
    assert [row["id"] for row in response.json()] == [o.id for o in expected]
    assert response.headers["X-WP-Total"] == str(len(expected))
