"""The sandbox's ``assist/v1`` namespace, per docs/client-area-api.md."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from sandbox import Sandbox

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def call(sb: Sandbox, method: str, route: str, **kw: Any) -> requests.Response:
    kw.setdefault("auth", (sb.wp_username, sb.wp_app_password))
    return requests.request(method, f"{sb.url}/wp-json/assist/v1/{route}", timeout=10, **kw)


def ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


@pytest.fixture
def area_box(empty_sandbox: Sandbox) -> Sandbox:
    """Two clients, two tickets, three entries at known times."""
    area = empty_sandbox.area
    first, second = empty_sandbox.shop.customer_ids()[:2]
    t1 = area.add_ticket(first, "Ajouter une page Tarifs", estimate_minutes=90, at=T0)
    t2 = area.add_ticket(second, "Corriger le formulaire", at=T0 + timedelta(minutes=1))
    area.add_entry(t1.id, "production", 75, note="Mise en page", at=T0 + timedelta(hours=1))
    area.add_entry(t1.id, "exchange", 20, at=T0 + timedelta(hours=2))
    area.add_entry(t2.id, "training", 30, at=T0 + timedelta(hours=3))
    return empty_sandbox


def test_shapes_match_the_contract(area_box: Sandbox) -> None:
    ticket = call(area_box, "GET", "tickets").json()[0]
    assert ticket == {
        "id": 1,
        "client_id": ticket["client_id"],
        "title": "Ajouter une page Tarifs",
        "status": "open",
        "estimate_minutes": 90,
        "decision": None,
        "decided_at_gmt": None,
        "date_created_gmt": "2026-11-02T09:00:00",
        "date_modified_gmt": "2026-11-02T09:00:00",
        "deleted": False,
    }
    entry = call(area_box, "GET", "time-entries").json()[0]
    assert entry["kind"] == "production" and entry["minutes"] == 75
    assert entry["performed_at_gmt"] == "2026-11-02T10:00:00"
    assert set(entry) == {
        "id", "ticket_id", "client_id", "kind", "minutes", "performed_at_gmt", "note",
        "author_id", "date_created_gmt", "date_modified_gmt", "deleted",
    }  # fmt: skip


def test_filters_and_pagination(area_box: Sandbox) -> None:
    after = {"modified_after": "2026-11-02T10:00:00"}  # exclusive
    assert ids(call(area_box, "GET", "time-entries", params=after)) == [2, 3]
    window = {**after, "modified_before": "2026-11-02T11:00:00"}  # inclusive
    assert ids(call(area_box, "GET", "time-entries", params=window)) == [2]
    client = area_box.area.tickets[2].client_id
    assert ids(call(area_box, "GET", "time-entries", params={"client": client})) == [3]
    page = call(area_box, "GET", "time-entries", params={"per_page": 2, "page": 1})
    assert ids(page) == [1, 2]
    assert (page.headers["X-WP-Total"], page.headers["X-WP-TotalPages"]) == ("3", "2")
    assert ids(call(area_box, "GET", "time-entries", params={"per_page": 2, "page": 2})) == [3]
    assert ids(call(area_box, "GET", "time-entries", params={"per_page": 2, "page": 9})) == []
    desc = {"orderby": "id", "order": "desc"}
    assert ids(call(area_box, "GET", "time-entries", params=desc)) == [3, 2, 1]
    too_many = call(area_box, "GET", "tickets", params={"per_page": 101})
    assert too_many.status_code == 400 and too_many.json()["code"] == "rest_invalid_param"
    bad_date = call(area_box, "GET", "tickets", params={"modified_after": "hier"})
    assert bad_date.status_code == 400


def test_edits_deletions_and_decisions_bump_the_modification_time(area_box: Sandbox) -> None:
    area = area_box.area
    later = T0 + timedelta(days=1)
    area.edit_entry(1, minutes=80, at=later)
    area.delete_entry(2, at=later + timedelta(minutes=1))
    area.decide(1, "buy_pack", at=later + timedelta(minutes=2))
    since = {"modified_after": "2026-11-02T12:00:00"}
    entries = call(area_box, "GET", "time-entries", params=since).json()
    assert [(e["id"], e["minutes"], e["deleted"]) for e in entries] == [
        (1, 80, False),
        (2, 20, True),
    ]
    tickets = call(area_box, "GET", "tickets", params=since).json()
    assert [(t["id"], t["decision"], t["decided_at_gmt"]) for t in tickets] == [
        (1, "buy_pack", "2026-11-03T09:02:00")
    ]
    with pytest.raises(ValueError):
        area.decide(1, "maybe")
    area.edit_entry(3, note="silent", touch=False)
    assert area.entries[3].modified == T0 + timedelta(hours=3)


def account(client_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    digest = hashlib.sha256(repr(sorted(payload.items())).encode()).hexdigest()
    return {"client_id": client_id, "hash": digest, "payload": payload}


def test_accounts_batch(area_box: Sandbox) -> None:
    first, second = area_box.shop.customer_ids()[:2]
    items = [account(first, {"remaining_minutes": 75}), account(second, {"remaining_minutes": 0})]
    body = call(area_box, "POST", "accounts/batch", json={"accounts": items}).json()
    assert body == {"updated": [first, second], "unchanged": [], "errors": []}
    changed = [items[0], account(second, {"remaining_minutes": 30}), account(99999, {})]
    body = call(area_box, "POST", "accounts/batch", json={"accounts": changed}).json()
    assert body["updated"] == [second] and body["unchanged"] == [first]
    assert body["errors"][0]["client_id"] == 99999
    assert body["errors"][0]["code"] == "assist_unknown_client"
    stored = area_box.area.accounts
    assert stored[first].payload == {"remaining_minutes": 75} and stored[first].writes == 1
    assert stored[second].payload == {"remaining_minutes": 30} and stored[second].writes == 2
    too_many = [account(first, {"n": n}) for n in range(101)]
    response = call(area_box, "POST", "accounts/batch", json={"accounts": too_many})
    assert response.status_code == 413 and response.json()["code"] == "assist_too_many_items"
    anonymous = call(area_box, "POST", "accounts/batch", json={"accounts": items}, auth=None)
    assert anonymous.status_code == 401


def test_reports_upload_is_idempotent_and_downloadable(area_box: Sandbox) -> None:
    client = area_box.shop.customer_ids()[0]
    pdf = b"%PDF-1.7\n% rapport\n%%EOF\n"
    headers = {
        "Content-Type": "application/pdf",
        "Content-Disposition": 'attachment; filename="rapport.pdf"',
    }
    params = {"client_id": client, "lot_id": "order-13-line-9", "title": "Rapport de mission"}
    first = call(area_box, "POST", "reports", params=params, data=pdf, headers=headers)
    assert first.status_code == 201
    report = first.json()
    assert report["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert set(report) == {"id", "client_id", "lot_id", "title", "date_created_gmt", "sha256"}
    again = call(area_box, "POST", "reports", params=params, data=pdf, headers=headers)
    assert again.status_code == 200 and again.json()["id"] == report["id"]
    other = call(area_box, "POST", "reports", params=params, data=pdf + b"\n", headers=headers)
    assert other.status_code == 201 and other.json()["id"] != report["id"]
    assert len(area_box.area.reports) == 2
    download = call(area_box, "GET", f"reports/{report['id']}/download")
    assert download.status_code == 200 and download.content == pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert call(area_box, "GET", f"reports/{report['id']}/download", auth=None).status_code == 401
    not_pdf = call(area_box, "POST", "reports", params=params, data=b"hello", headers=headers)
    assert not_pdf.status_code == 400
    no_name = call(area_box, "POST", "reports", params=params, data=pdf,
                   headers={"Content-Type": "application/pdf"})  # fmt: skip
    assert no_name.json()["code"] == "rest_upload_no_content_disposition"


def test_without_client_area_the_namespace_is_absent() -> None:
    with Sandbox(seed=1, clients=3, orders=5, with_client_area=False) as sb:
        response = call(sb, "GET", "tickets")
        assert response.status_code == 404 and response.json()["code"] == "rest_no_route"
        assert not any(line.startswith("WP_") for line in sb.env_lines())
        index = requests.get(f"{sb.url}/wp-json/", timeout=10).json()
        assert "assist/v1" not in index["namespaces"]


def test_env_lines_of_a_sandbox_on_all_interfaces_work_for_the_daemon() -> None:
    """Plain HTTP to a non-loopback address is refused unless the .env lines allow it."""
    from config import load_settings
    from wp_client.client_area import ClientAreaClient
    from wp_client.woo import WooClient

    with Sandbox(seed=2, clients=2, orders=3, host="0.0.0.0") as sb:
        lines = sb.env_lines()
        assert "ASSIST_ALLOW_INSECURE_HTTP=1" in lines
        env = dict(line.split("=", 1) for line in lines)
        settings = load_settings(env, dotenv_path=None)
        woo = WooClient.from_settings(settings)
        area = ClientAreaClient.from_settings(settings)
        try:
            assert woo.get_order(next(iter(sb.shop.orders))) is not None
            assert "assist/v1" in area.namespaces()
        finally:
            woo.close()
            area.close()
    with Sandbox(seed=2, clients=0, orders=0) as local:
        assert not any(line.startswith("ASSIST_") for line in local.env_lines())
