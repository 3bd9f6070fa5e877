"""One contract, two servers: docs/client-area-api.md checked against the sandbox and the plugin.

Every test runs three times: on the sandbox (``sandbox`` fixture) and on the real WordPress
with the plugin, over plain http (``wordpress``) and over HTTPS with its own CA
(``wordpress_tls``); the real ones are skipped locally when PHP or MariaDB are missing. Only what
the contract promises is asserted: shapes and types, pagination and its headers, filters, the
tombstones, the error codes and the permission answers. Anything one backend does beyond it
(sub-second clocks, extra checks) is left out on purpose.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from sandbox import Sandbox
from tests.wordpress.site import WordPressSite

NAIVE_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
PDF_HEADERS = {
    "Content-Type": "application/pdf",
    "Content-Disposition": 'attachment; filename="rapport.pdf"',
}


@dataclass
class Backend:
    """What a contract test needs from a server, whichever it is."""

    name: str
    api: str  # …/wp-json/assist/v1
    root: str  # site root, for the ?rest_route= form
    daemon_auth: tuple[str, str]
    other_auth: tuple[str, str]  # a real user without assist_sync
    new_client: Callable[[], int]
    add_ticket: Callable[[int, str, int | None], int]
    add_entries: Callable[[int, list[tuple[str, int, str]]], list[int]]
    edit_entry: Callable[[int, int], None]
    delete_entry: Callable[[int], None]
    verify: str | bool = True  # the CA file of an HTTPS backend

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Any request to the backend (``url`` absolute), trusting its CA."""
        return requests.request(method, url, timeout=30, verify=self.verify, **kwargs)

    def get(self, path: str, **params: object) -> requests.Response:
        return self.request("GET", f"{self.api}{path}", params=params, auth=self.daemon_auth)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("auth", self.daemon_auth)
        return self.request("POST", f"{self.api}{path}", **kwargs)


def sandbox_backend(sb: Sandbox) -> Backend:
    counter = iter(range(1, 10_000))

    def new_client() -> int:
        return sb.shop.add_customer(f"contrat-{next(counter)}@example.test", "Contrat").id

    def add_ticket(client: int, title: str, estimate: int | None) -> int:
        return sb.area.add_ticket(client, title, estimate_minutes=estimate).id

    def add_entries(ticket: int, rows: list[tuple[str, int, str]]) -> list[int]:
        return [
            sb.area.add_entry(
                ticket,
                kind,
                minutes,
                performed_at=datetime.fromisoformat(at).replace(tzinfo=UTC),
            ).id
            for kind, minutes, at in rows
        ]

    return Backend(
        name="sandbox",
        api=f"{sb.url}/wp-json/assist/v1",
        root=sb.url,
        daemon_auth=(sb.wp_username, sb.wp_app_password),
        other_auth=(sb.staff_username, sb.staff_app_password),
        new_client=new_client,
        add_ticket=add_ticket,
        add_entries=add_entries,
        edit_entry=lambda entry, minutes: sb.area.edit_entry(entry, minutes=minutes) and None,
        delete_entry=lambda entry: sb.area.delete_entry(entry) and None,
    )


def wordpress_backend(site: WordPressSite) -> Backend:
    assert site.outsider.app_password is not None

    def edit_entry(entry: int, minutes: int) -> None:
        site.php(
            """
            $row = Assist_Store::get_entry($args['id']);
            $row['minutes'] = (string) $args['minutes'];
            $done = Assist_Store::update_entry($args['id'], $row);
            if (is_wp_error($done)) { assist_test_fail($done); }
            """,
            {"id": entry, "minutes": minutes},
        )

    def delete_entry(entry: int) -> None:
        site.php("Assist_Store::delete_entry($args) || assist_test_fail('not live');", entry)

    return Backend(
        name="wordpress-https" if site.shop.ca else "wordpress",
        verify=site.shop.verify,
        api=site.api,
        root=site.url,
        daemon_auth=site.daemon_auth(),
        other_auth=(site.outsider.login, site.outsider.app_password),
        new_client=lambda: site.create_user("Client Contrat").id,
        add_ticket=lambda client, title, estimate: site.seed_ticket(
            client, title, estimate=estimate
        ),
        add_entries=site.seed_entries,
        edit_entry=edit_entry,
        delete_entry=delete_entry,
    )


@pytest.fixture(
    params=[
        "sandbox",
        pytest.param("wordpress", marks=pytest.mark.wordpress),
        pytest.param("wordpress_tls", marks=pytest.mark.wordpress),
    ]
)
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "sandbox":
        return sandbox_backend(request.getfixturevalue("sandbox"))
    return wordpress_backend(request.getfixturevalue(request.param))


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["data"]["status"] == status
    return body


def client_with_entries(backend: Backend, count: int) -> tuple[int, int, list[int]]:
    client = backend.new_client()
    ticket = backend.add_ticket(client, "Contrat de l'API", 120)
    rows = [
        ("production", 5 + i, f"2026-11-0{1 + i % 9}T{8 + i % 10:02d}:15:00") for i in range(count)
    ]
    return client, ticket, backend.add_entries(ticket, rows)


def wait_next_second(stamp: str) -> None:
    """Sleep until the UTC clock is past ``stamp`` (naive seconds) so a write lands later."""
    target = datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp() + 1
    time.sleep(max(0.0, target - time.time()) + 0.05)


# --------------------------------------------------------------------------------- shapes


def test_tickets_and_entries_have_the_documented_shape(backend: Backend) -> None:
    client = backend.new_client()
    with_estimate = backend.add_ticket(client, "Ajouter une page Tarifs", 90)
    backend.add_ticket(client, "Sans estimation", None)
    [entry] = backend.add_entries(with_estimate, [("exchange", 20, "2026-11-03T14:00:00")])

    tickets = backend.get("/tickets", client=client, orderby="id", order="asc").json()
    assert [t["estimate_minutes"] for t in tickets] == [90, None]
    for ticket in tickets:
        assert set(ticket) == {
            "id", "client_id", "title", "status", "estimate_minutes", "decision",
            "decided_at_gmt", "date_created_gmt", "date_modified_gmt", "deleted",
        }  # fmt: skip
        assert isinstance(ticket["id"], int) and ticket["client_id"] == client
        assert ticket["status"] in ("open", "in_progress", "done", "closed")
        assert ticket["decision"] is None and ticket["decided_at_gmt"] is None
        assert NAIVE_UTC.match(ticket["date_created_gmt"])
        assert NAIVE_UTC.match(ticket["date_modified_gmt"])
        assert ticket["deleted"] is False
    assert tickets[0]["title"] == "Ajouter une page Tarifs"

    [row] = backend.get("/time-entries", client=client).json()
    assert set(row) == {
        "id", "ticket_id", "client_id", "kind", "minutes", "performed_at_gmt", "note",
        "author_id", "date_created_gmt", "date_modified_gmt", "deleted",
    }  # fmt: skip
    assert (row["id"], row["ticket_id"], row["client_id"]) == (entry, with_estimate, client)
    assert (row["kind"], row["minutes"]) == ("exchange", 20)
    assert row["performed_at_gmt"] == "2026-11-03T14:00:00"
    assert isinstance(row["note"], str) and isinstance(row["author_id"], int)
    assert NAIVE_UTC.match(row["date_created_gmt"]) and NAIVE_UTC.match(row["date_modified_gmt"])
    assert row["deleted"] is False


# ----------------------------------------------------------------------------- pagination


def test_pages_headers_and_the_page_past_the_end(backend: Backend) -> None:
    client, _, ids = client_with_entries(backend, 12)
    seen: list[int] = []
    for page in (1, 2, 3):
        response = backend.get(
            "/time-entries", client=client, per_page=5, page=page, orderby="id", order="asc"
        )
        assert response.status_code == 200
        assert response.headers["X-WP-Total"] == "12"
        assert response.headers["X-WP-TotalPages"] == str(math.ceil(12 / 5))
        seen += [row["id"] for row in response.json()]
    assert seen == sorted(ids)
    past = backend.get("/time-entries", client=client, per_page=5, page=4)
    assert past.status_code == 200
    assert past.json() == []
    assert past.headers["X-WP-Total"] == "12"
    desc = backend.get("/time-entries", client=client, per_page=100, orderby="id", order="desc")
    assert [row["id"] for row in desc.json()] == sorted(ids, reverse=True)
    assert len(backend.get("/time-entries", client=client).json()) == 10  # default per_page


def test_an_unknown_client_has_an_empty_list(backend: Backend) -> None:
    response = backend.get("/tickets", client=backend.new_client())
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "0"


# -------------------------------------------------------------------- filters, tombstones


def test_modified_after_is_exclusive_and_edits_and_deletions_come_back(backend: Backend) -> None:
    client, _, ids = client_with_entries(backend, 3)
    rows = backend.get("/time-entries", client=client, per_page=100).json()
    cursor = max(row["date_modified_gmt"] for row in rows)
    assert backend.get("/time-entries", client=client, modified_after=cursor).json() == []
    upto = backend.get("/time-entries", client=client, per_page=100, modified_before=cursor)
    assert sorted(row["id"] for row in upto.json()) == sorted(ids)  # inclusive

    wait_next_second(cursor)
    backend.edit_entry(ids[0], 99)
    backend.delete_entry(ids[1])
    changed = backend.get("/time-entries", client=client, per_page=100, modified_after=cursor)
    by_id = {row["id"]: row for row in changed.json()}
    assert set(by_id) == {ids[0], ids[1]}
    assert by_id[ids[0]]["minutes"] == 99 and by_id[ids[0]]["deleted"] is False
    assert by_id[ids[1]]["deleted"] is True
    assert by_id[ids[1]]["minutes"] == rows[[r["id"] for r in rows].index(ids[1])]["minutes"]
    assert all(row["date_modified_gmt"] > cursor for row in by_id.values())
    # The tombstone stays listed for a full resync too.
    everything = backend.get("/time-entries", client=client, per_page=100).json()
    assert {row["id"]: row["deleted"] for row in everything} == {
        ids[0]: False,
        ids[1]: True,
        ids[2]: False,
    }


def test_an_offset_in_a_date_filter_is_honoured(backend: Backend) -> None:
    client, _, _ = client_with_entries(backend, 2)
    rows = backend.get("/time-entries", client=client).json()
    cursor = max(row["date_modified_gmt"] for row in rows)
    same = datetime.fromisoformat(cursor).replace(tzinfo=UTC).astimezone().isoformat()
    for value in (cursor + "Z", same):
        response = backend.get("/time-entries", client=client, modified_after=value)
        assert response.status_code == 200
        assert response.json() == []


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"modified_after": "pas une date"}, "modified_after"),
        ({"modified_before": "2026-02-30T00:00:00"}, "modified_before"),
        ({"order": "sideways"}, "order"),
        ({"orderby": "title"}, "orderby"),
        ({"client": "abc"}, "client"),
    ],
)
@pytest.mark.parametrize("path", ["/tickets", "/time-entries"])
def test_invalid_list_parameters_are_400(
    backend: Backend, path: str, params: dict[str, object], bad: str
) -> None:
    body = assert_error(backend.get(path, **params), 400, "rest_invalid_param")
    assert bad in body["data"]["params"]


def test_the_rest_route_query_form_and_unknown_routes(backend: Backend) -> None:
    client, _, ids = client_with_entries(backend, 2)
    response = backend.request(
        "GET",
        f"{backend.root}/",
        params={"rest_route": "/assist/v1/time-entries", "client": client},
        auth=backend.daemon_auth,
    )
    assert response.status_code == 200
    assert sorted(row["id"] for row in response.json()) == sorted(ids)
    assert_error(backend.get("/no-such-route"), 404, "rest_no_route")


# ---------------------------------------------------------------------------- permissions

DAEMON_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/tickets", {}),
    ("GET", "/time-entries", {}),
    ("POST", "/accounts/batch", {"json": {"accounts": []}}),
    (
        "POST",
        "/reports",
        {
            "params": {"client_id": 1, "lot_id": "lot", "title": "Rapport"},
            "data": b"%PDF-1.4 x",
            "headers": PDF_HEADERS,
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), DAEMON_CALLS)
def test_daemon_routes_refuse_anonymous_and_unprivileged_callers(
    backend: Backend, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    url = f"{backend.api}{path}"
    assert_error(backend.request(method, url, **kwargs), 401, "rest_forbidden")
    other = backend.request(method, url, auth=backend.other_auth, **kwargs)
    assert_error(other, 403, "rest_forbidden")
    wrong = backend.request(
        method, url, auth=(backend.daemon_auth[0], "abcd efgh ijkl mnop qrst uvwx"), **kwargs
    )
    assert wrong.status_code == 401


def test_a_report_download_needs_a_privileged_or_owning_user(backend: Backend) -> None:
    client = backend.new_client()
    report = backend.post(
        "/reports",
        params={"client_id": client, "lot_id": "lot-dl", "title": "Rapport"},
        data=b"%PDF-1.4\n% download\n",
        headers=PDF_HEADERS,
    ).json()
    url = f"{backend.api}/reports/{report['id']}/download"
    assert backend.request("GET", url).status_code == 401
    assert backend.request("GET", url, auth=backend.other_auth).status_code == 403
    granted = backend.request("GET", url, auth=backend.daemon_auth)
    assert granted.status_code == 200
    assert granted.headers["Content-Type"].startswith("application/pdf")
    assert granted.content == b"%PDF-1.4\n% download\n"


# ------------------------------------------------------------------------------- accounts


def account(client: int, remaining: int) -> dict[str, Any]:
    payload = {"synced_at": "2026-11-26T10:00:00", "remaining_minutes": remaining, "lots": []}
    digest = hashlib.sha256(repr(sorted(payload.items())).encode()).hexdigest()
    return {"client_id": client, "hash": digest, "payload": payload}


def test_accounts_are_updated_then_unchanged_and_unknown_clients_reported(
    backend: Backend,
) -> None:
    a, b = backend.new_client(), backend.new_client()
    first = backend.post("/accounts/batch", json={"accounts": [account(a, 75), account(b, 30)]})
    assert first.status_code == 200
    assert first.json() == {"updated": [a, b], "unchanged": [], "errors": []}
    again = backend.post(
        "/accounts/batch",
        json={"accounts": [account(a, 75), account(b, 45), account(987654, 10)]},
    )
    body = again.json()
    assert body["updated"] == [b]
    assert body["unchanged"] == [a]
    [problem] = body["errors"]
    assert problem["client_id"] == 987654
    assert problem["code"] == "assist_unknown_client"
    assert isinstance(problem["message"], str) and problem["message"]


def test_accounts_batch_limits_and_body(backend: Backend) -> None:
    client = backend.new_client()
    too_many = backend.post("/accounts/batch", json={"accounts": [account(client, 1)] * 101})
    assert_error(too_many, 413, "assist_too_many_items")
    assert backend.post("/accounts/batch", json={"accounts": [account(client, 1)] * 100}).ok
    assert_error(backend.post("/accounts/batch", json={}), 400, "rest_missing_callback_param")


# -------------------------------------------------------------------------------- reports


def test_reports_are_idempotent_by_content(backend: Backend) -> None:
    client = backend.new_client()
    body = b"%PDF-1.4\n% contrat\n"
    query = {"client_id": client, "lot_id": "order-13-line-9", "title": "Rapport d'intervention"}
    first = backend.post("/reports", params=query, data=body, headers=PDF_HEADERS)
    assert first.status_code == 201, first.text
    report = first.json()
    assert set(report) == {"id", "client_id", "lot_id", "title", "date_created_gmt", "sha256"}
    assert isinstance(report["id"], int)
    assert (report["client_id"], report["lot_id"]) == (client, "order-13-line-9")
    assert report["title"] == "Rapport d'intervention"
    assert report["sha256"] == hashlib.sha256(body).hexdigest()
    assert NAIVE_UTC.match(report["date_created_gmt"])
    again = backend.post("/reports", params=query, data=body, headers=PDF_HEADERS)
    assert again.status_code == 200
    assert again.json() == report
    other = backend.post("/reports", params=query, data=body + b"%v2\n", headers=PDF_HEADERS)
    assert other.status_code == 201 and other.json()["id"] != report["id"]


def test_reports_refuse_what_is_not_a_pdf(backend: Backend) -> None:
    client = backend.new_client()
    query = {"client_id": client, "lot_id": "lot", "title": "Rapport"}
    html = backend.post("/reports", params=query, data=b"<html></html>", headers=PDF_HEADERS)
    assert_error(html, 400, "assist_not_a_pdf")
    nobody = backend.post(
        "/reports", params={**query, "client_id": 987654}, data=b"%PDF-1.4", headers=PDF_HEADERS
    )
    assert_error(nobody, 400, "assist_unknown_client")
    missing = backend.post(
        "/reports", params={"client_id": client, "lot_id": "lot"}, data=b"%PDF-1.4",
        headers=PDF_HEADERS,
    )  # fmt: skip
    assert_error(missing, 400, "rest_missing_callback_param")
