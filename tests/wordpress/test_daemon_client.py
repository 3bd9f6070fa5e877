"""The daemon's own client (wp_client.ClientAreaClient) against the real plugin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config import Secret
from tests.wordpress.payloads import account_payload, item
from tests.wordpress.site import WordPressSite
from wp_client.client_area import ClientAreaClient
from wp_client.diagnose import diagnose_client_area
from wp_client.errors import AuthenticationError, ConfigurationError

pytestmark = pytest.mark.wordpress


def client_for(site: WordPressSite, login: str, password: str) -> ClientAreaClient:
    return ClientAreaClient(site.url, login, Secret(password), max_retries=0)


def test_the_daemon_client_reads_pages_pushes_accounts_and_uploads(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Client Démon")
    ticket = wordpress.seed_ticket(client.id, "Lu par le démon", estimate=60)
    ids = wordpress.seed_entries(
        ticket, [("production", 10 + i, f"2026-11-0{1 + i}T09:00:00") for i in range(7)]
    )
    daemon = wordpress.daemon
    assert daemon.app_password is not None
    area = client_for(wordpress, daemon.login, daemon.app_password)
    try:
        assert "assist/v1" in area.namespaces()
        me = area.whoami()
        assert me["id"] == daemon.id
        assert me["capabilities"].get("assist_sync") is True

        pages = list(
            area.iter_entry_pages(
                modified_after=None, modified_before=None, client=client.id, per_page=3
            )
        )
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [row["id"] for page in pages for row in page] == ids
        [tickets] = list(
            area.iter_ticket_pages(
                modified_after=datetime(2000, 1, 1, tzinfo=UTC),
                modified_before=None,
                client=client.id,
            )
        )
        assert [t["id"] for t in tickets] == [ticket]

        payload = account_payload(ticket)
        assert area.push_accounts([item(client.id, payload)])["updated"] == [client.id]
        assert area.push_accounts([item(client.id, payload)])["unchanged"] == [client.id]

        pdf = b"%PDF-1.4\n% rapport du d\xc3\xa9mon\n"
        report = area.upload_report(client.id, "order-1-line-1", "Rapport", pdf, "Rapport été.pdf")
        again = area.upload_report(client.id, "order-1-line-1", "Rapport", pdf, "Rapport été.pdf")
        assert again == report
        assert report["client_id"] == client.id
    finally:
        area.close()


def test_the_daemon_client_reports_a_user_without_the_capability(
    wordpress: WordPressSite,
) -> None:
    outsider = wordpress.outsider
    assert outsider.app_password is not None
    area = client_for(wordpress, outsider.login, outsider.app_password)
    try:
        with pytest.raises(AuthenticationError) as refused:
            list(area.iter_entry_pages(modified_after=None, modified_before=None))
        assert refused.value.status == 403
        assert "assist_sync" in str(refused.value)
    finally:
        area.close()


def _set_permalinks(site: WordPressSite, structure: str) -> None:
    # set_permalink_structure() forgets the endpoints registered on init (WooCommerce's and the
    # plugin's): the rules are dropped here and rebuilt by the next request, with every endpoint.
    site.php(
        "global $wp_rewrite; $wp_rewrite->set_permalink_structure($args); "
        "delete_option('rewrite_rules');",
        structure,
    )


def test_plain_permalinks_are_reported_as_such(wordpress: WordPressSite) -> None:
    """After a bare install permalinks are Plain: /wp-json/ is the home page (HTML, 200)."""
    daemon = wordpress.daemon
    assert daemon.app_password is not None
    area = client_for(wordpress, daemon.login, daemon.app_password)
    _set_permalinks(wordpress, "")
    try:
        with pytest.raises(ConfigurationError) as info:
            list(area.iter_ticket_pages(modified_after=None, modified_before=None))
        doctor = diagnose_client_area(area)
    finally:
        _set_permalinks(wordpress, "/%postname%/")
        area.close()
    assert info.value.reason == "plain_permalinks"
    assert "Settings → Permalinks" in str(info.value)
    assert [(f.check, f.ok) for f in doctor] == [("area.url", False)]
    assert "choose any structure but Plain" in doctor[0].message
