"""ClientAreaClient against the documented assist/v1 routes and captured WordPress answers."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from config import ConfigError, Secret, load_settings
from tests.wp_client.conftest import APP_PASSWORD, SHOP, replay
from wp_client.client_area import ClientAreaClient
from wp_client.errors import AuthenticationError, BadPayloadError, ConfigurationError

NS = f"{SHOP}/wp-json/assist/v1"
TICKET = {
    "id": 12,
    "client_id": 5,
    "title": "Ajouter une page Tarifs",
    "status": "open",
    "estimate_minutes": 90,
    "decision": None,
    "decided_at_gmt": None,
    "date_created_gmt": "2026-11-02T09:00:00",
    "date_modified_gmt": "2026-11-02T09:00:00",
    "deleted": False,
}
ENTRY = {
    "id": 40,
    "ticket_id": 12,
    "client_id": 5,
    "kind": "production",
    "minutes": 75,
    "performed_at_gmt": "2026-11-03T14:00:00",
    "note": "Mise en page",
    "author_id": 2,
    "date_created_gmt": "2026-11-03T15:00:00",
    "date_modified_gmt": "2026-11-03T15:00:00",
    "deleted": True,
}
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def query(call: responses.Call) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(call.request.url or "").query))


def test_ticket_and_entry_pages_send_the_documented_query(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    totals = {"X-WP-Total": "1", "X-WP-TotalPages": "1"}
    rsps.add("GET", f"{NS}/tickets", json=[TICKET], headers=totals)
    rsps.add("GET", f"{NS}/time-entries", json=[ENTRY], headers=totals)
    since = datetime(2026, 11, 1, 0, 0, 0)
    tickets = area.iter_ticket_pages(modified_after=since, modified_before=None, client=5)
    entries = area.iter_entry_pages(modified_after=None, modified_before=since)
    assert list(tickets) == [[TICKET]]
    assert list(entries) == [[ENTRY]]
    assert query(rsps.calls[0]) == {
        "orderby": "id",
        "order": "asc",
        "modified_after": "2026-11-01T00:00:00",
        "client": "5",
        "page": "1",
        "per_page": "100",
    }
    assert query(rsps.calls[1])["modified_before"] == "2026-11-01T00:00:00"


def test_push_accounts_returns_per_item_outcomes(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    outcome = {
        "updated": [5],
        "unchanged": [7],
        "errors": [{"client_id": 9, "code": "assist_unknown_client", "message": "Inconnu"}],
    }
    rsps.add("POST", f"{NS}/accounts/batch", json=outcome)
    items = [
        {"client_id": c, "hash": "ab" * 32, "payload": {"remaining_minutes": 75}} for c in (5, 7, 9)
    ]
    assert area.push_accounts(items) == outcome
    sent = rsps.calls[0].request
    assert json.loads(sent.body or b"") == {"accounts": items}
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"


def test_push_accounts_tames_the_words_of_item_errors(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    forged = "Inconnu\n2026-12-03 ERROR forged line \x1b[31m"
    error = {"client_id": 9, "code": "x\r\ny", "message": forged}
    rsps.add("POST", f"{NS}/accounts/batch", json={"updated": [], "errors": [error, "odd"]})
    answer = area.push_accounts([{"client_id": 9, "hash": "ab" * 32, "payload": {}}])
    assert answer["errors"] == [
        {
            "client_id": 9,
            "code": "x y",
            "message": "Inconnu 2026-12-03 ERROR forged line \\x1b[31m",
        },
        "odd",
    ]


def test_push_accounts_refuses_more_than_100_before_sending(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    items = [{"client_id": c, "hash": "x", "payload": {}} for c in range(101)]
    with pytest.raises(ValueError, match="at most 100"):
        area.push_accounts(items)
    assert area.push_accounts([]) == {"updated": [], "unchanged": [], "errors": []}
    assert len(rsps.calls) == 0


def test_push_accounts_is_retried_because_it_is_keyed_by_hash(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    rsps.add("POST", f"{NS}/accounts/batch", status=502, body="Bad Gateway")
    rsps.add("POST", f"{NS}/accounts/batch", json={"updated": [5], "unchanged": [], "errors": []})
    assert area.push_accounts([{"client_id": 5, "hash": "h", "payload": {}}])["updated"] == [5]


def test_a_malformed_batch_answer_is_a_bad_payload(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    rsps.add("POST", f"{NS}/accounts/batch", json={"updated": 5})
    with pytest.raises(BadPayloadError):
        area.push_accounts([{"client_id": 5, "hash": "h", "payload": {}}])


def test_upload_report_posts_the_raw_pdf(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    stored = {
        "id": 3,
        "client_id": 5,
        "lot_id": "order-13-line-9",
        "title": "Rapport",
        "date_created_gmt": "2026-11-26T10:00:00",
        "sha256": "00",
    }
    rsps.add("POST", f"{NS}/reports", json=stored, status=201)
    got = area.upload_report(5, "order-13-line-9", "Rapport d'intervention", PDF, "rapport-été.pdf")
    assert got == stored
    sent = rsps.calls[0].request
    assert sent.body == PDF
    assert sent.headers["Content-Type"] == "application/pdf"
    assert sent.headers["Content-Disposition"] == (
        "attachment; filename=\"rapport-ete.pdf\"; filename*=UTF-8''rapport-%C3%A9t%C3%A9.pdf"
    )
    assert query(rsps.calls[0]) == {
        "client_id": "5",
        "lot_id": "order-13-line-9",
        "title": "Rapport d'intervention",
    }
    with pytest.raises(ValueError):
        area.upload_report(5, "x", "t", b"<html>", "r.pdf")


def test_whoami_and_namespaces(rsps: responses.RequestsMock, area: ClientAreaClient) -> None:
    replay(rsps, "GET", f"{SHOP}/wp-json/wp/v2/users/me", "wp_get_users_me_context_edit")
    replay(rsps, "GET", f"{SHOP}/wp-json/", "wp_json_index")
    assert area.whoami()["roles"] == ["administrator"]
    assert "wc/v3" in area.namespaces()


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("error_wp_users_me_bad_app_password", "check WP_USERNAME and WP_APP_PASSWORD"),
        ("error_wp_users_me_no_auth", "treated the request as anonymous"),
    ],
)
def test_client_area_auth_failures(
    rsps: responses.RequestsMock, area: ClientAreaClient, fixture: str, words: str
) -> None:
    replay(rsps, "GET", f"{SHOP}/wp-json/wp/v2/users/me", fixture)
    with pytest.raises(AuthenticationError) as info:
        area.whoami()
    assert words in str(info.value)
    assert APP_PASSWORD not in str(info.value) and APP_PASSWORD not in repr(area)


def test_missing_capability_is_named(rsps: responses.RequestsMock, area: ClientAreaClient) -> None:
    body = {
        "code": "rest_forbidden",
        "message": "Sorry, you are not allowed to do that.",
        "data": {"status": 403},
    }
    rsps.add("GET", f"{NS}/tickets", json=body, status=403)
    with pytest.raises(AuthenticationError) as info:
        next(area.iter_ticket_pages(modified_after=None, modified_before=None))
    assert "assist_sync capability" in str(info.value)


def test_plugin_not_active_is_a_configuration_error(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    replay(rsps, "GET", f"{NS}/tickets", "error_unknown_route_404")
    with pytest.raises(ConfigurationError) as info:
        next(area.iter_ticket_pages(modified_after=None, modified_before=None))
    assert "assist-client-area plugin is active" in str(info.value)


def test_from_settings_shares_the_ca_bundle_only_with_the_same_host(tmp_path: object) -> None:
    import pathlib

    bundle = pathlib.Path(str(tmp_path)) / "ca.pem"
    bundle.write_text("x")
    env = {
        "WOO_URL": "https://shop.example",
        "WOO_CONSUMER_KEY": "ck_1",
        "WOO_CONSUMER_SECRET": "cs_1",
        "WOO_CA_BUNDLE": str(bundle),
        "WP_USERNAME": "sync",
        "WP_APP_PASSWORD": APP_PASSWORD,
    }
    same = ClientAreaClient.from_settings(
        load_settings({**env, "WP_URL": "https://shop.example"}, dotenv_path=None)
    )
    other = ClientAreaClient.from_settings(
        load_settings({**env, "WP_URL": "https://clients.example"}, dotenv_path=None)
    )
    assert same.http.session.verify == str(bundle)
    assert other.http.session.verify is True
    assert ClientAreaClient(SHOP, "u", Secret("p")).username == "u"
    own = pathlib.Path(str(tmp_path)) / "clients-ca.pem"
    own.write_text("y")
    elsewhere = load_settings(
        {**env, "WP_URL": "https://clients.example", "WP_CA_BUNDLE": str(own)}, dotenv_path=None
    )
    assert ClientAreaClient.from_settings(elsewhere).http.session.verify == str(own)
    missing = {**env, "WP_URL": "https://clients.example", "WP_CA_BUNDLE": "/nope.pem"}
    with pytest.raises(ConfigError, match=r"WP_CA_BUNDLE: file not found: /nope\.pem"):
        load_settings(missing, dotenv_path=None)
