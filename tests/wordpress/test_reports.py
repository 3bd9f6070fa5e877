"""POST /reports and the protected download on the real plugin."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import requests

from tests.wordpress.site import SiteUser, WordPressSite

pytestmark = pytest.mark.wordpress


def pdf(text: str) -> bytes:
    """A small but well-formed one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def upload(
    site: WordPressSite, client_id: int, body: bytes, *, lot: str = "order-13-line-9"
) -> requests.Response:
    return requests.post(
        f"{site.api}/reports",
        params={"client_id": client_id, "lot_id": lot, "title": "Rapport d'intervention"},
        data=body,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="rapport.pdf"',
        },
        auth=site.daemon_auth(),
        timeout=30,
    )


def download_as(site: WordPressSite, user: SiteUser, report_id: int) -> requests.Response:
    session = site.login(user)
    return session.get(
        f"{site.api}/reports/{report_id}/download",
        headers={"X-WP-Nonce": site.rest_nonce(session)},
        timeout=30,
    )


def test_upload_is_idempotent_by_content(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Rapport Client")
    body = pdf("Rapport un")
    first = upload(wordpress, client.id, body)
    assert first.status_code == 201, first.text
    report = first.json()
    assert report["client_id"] == client.id
    assert report["lot_id"] == "order-13-line-9"
    assert report["title"] == "Rapport d'intervention"
    assert report["sha256"] == hashlib.sha256(body).hexdigest()
    assert isinstance(report["id"], int)
    again = upload(wordpress, client.id, body)
    assert again.status_code == 200
    assert again.json() == report
    other = upload(wordpress, client.id, pdf("Rapport deux"))
    assert other.status_code == 201
    assert other.json()["id"] != report["id"]


def test_a_body_that_is_not_a_pdf_is_refused(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Pas Pdf")
    response = upload(wordpress, client.id, b"<html>not a pdf</html>")
    assert response.status_code == 400
    assert response.json()["code"] == "assist_not_a_pdf"
    assert upload(wordpress, 999999, pdf("x")).json()["code"] == "assist_unknown_client"
    assert upload(wordpress, client.id, b"").json()["code"] == "rest_upload_no_data"


@pytest.mark.parametrize(
    ("headers", "params", "code"),
    [
        ({"Content-Type": "text/plain"}, {}, "assist_not_a_pdf"),
        ({"Content-Disposition": ""}, {}, "rest_upload_no_content_disposition"),
        ({}, {"title": None}, "rest_missing_callback_param"),
        ({}, {"lot_id": None}, "rest_missing_callback_param"),
        ({}, {"client_id": "abc"}, "rest_invalid_param"),
    ],
)
def test_an_incomplete_upload_is_400(
    wordpress: WordPressSite, headers: dict[str, str], params: dict[str, object], code: str
) -> None:
    client = wordpress.create_user("Envoi Incomplet")
    query = {"client_id": client.id, "lot_id": "lot-1", "title": "Rapport", **params}
    response = requests.post(
        f"{wordpress.api}/reports",
        params={k: v for k, v in query.items() if v is not None},
        data=pdf("incomplet"),
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="r.pdf"',
            **headers,
        },
        auth=wordpress.daemon_auth(),
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_the_client_downloads_their_report(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Télé Chargement")
    body = pdf("A lui")
    report = upload(wordpress, client.id, body).json()
    response = download_as(wordpress, client, report["id"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.content == body
    # The daemon (assist_sync) and an administrator may download it too.
    daemon = requests.get(
        f"{wordpress.api}/reports/{report['id']}/download",
        auth=wordpress.daemon_auth(),
        timeout=30,
    )
    assert daemon.content == body
    assert download_as(wordpress, wordpress.admin, report["id"]).content == body


def test_another_client_cannot_download_it(wordpress: WordPressSite) -> None:
    owner = wordpress.create_user("Proprio Rapport")
    thief = wordpress.create_user("Curieux Rapport")
    report = upload(wordpress, owner.id, pdf("secret")).json()
    response = download_as(wordpress, thief, report["id"])
    assert response.status_code == 403
    assert b"secret" not in response.content
    # A report id that does not exist answers the same: ids cannot be probed.
    assert download_as(wordpress, thief, 987654).status_code == 403
    # The staff (time logging only) cannot either.
    assert download_as(wordpress, wordpress.staff, report["id"]).status_code == 403


def test_anonymous_and_nonce_less_downloads_are_refused(wordpress: WordPressSite) -> None:
    owner = wordpress.create_user("Sans Nonce")
    report = upload(wordpress, owner.id, pdf("nonce")).json()
    url = f"{wordpress.api}/reports/{report['id']}/download"
    assert requests.get(url, timeout=30).status_code == 401
    session = wordpress.login(owner)
    # Cookie without the REST nonce: WordPress treats the request as anonymous.
    assert session.get(url, timeout=30).status_code == 401
    assert session.get(url, params={"_wpnonce": "0badc0ffee"}, timeout=30).status_code == 403
    nonce = wordpress.rest_nonce(session)
    assert session.get(url, params={"_wpnonce": nonce}, timeout=30).status_code == 200


def test_report_files_have_no_guessable_public_url(wordpress: WordPressSite) -> None:
    owner = wordpress.create_user("Fichier Caché")
    body = pdf("fichier")
    report = upload(wordpress, owner.id, body).json()
    storage = wordpress.content_dir / "uploads" / "assist-reports"
    stored = [p for p in storage.iterdir() if p.is_file() and p.read_bytes() == body]
    assert len(stored) == 1
    name = stored[0].name
    assert len(name) >= 32 and str(report["id"]) != name  # random, not derived
    assert report["sha256"] not in name
    assert name not in upload(wordpress, owner.id, body).text  # never revealed
    htaccess = (storage / ".htaccess").read_text()
    assert "Require all denied" in htaccess and "Deny from all" in htaccess
    assert (storage / "index.php").exists()
    for guess in (
        f"{report['id']}.pdf",
        f"{report['id']}",
        "rapport.pdf",
        f"{report['sha256']}.pdf",
        report["sha256"],
        "",
    ):
        response = requests.get(
            f"{wordpress.url}/wp-content/uploads/assist-reports/{guess}", timeout=30
        )
        if guess:
            assert response.status_code == 404, guess
        else:  # the folder itself: its index.php answers, empty (no listing)
            assert response.status_code in (200, 403, 404) and response.content.strip() == b""
        assert body not in response.content
    # No WordPress attachment (public source_url) was created either.
    media = requests.get(f"{wordpress.url}/wp-json/wp/v2/media", timeout=30).json()
    assert not [m for m in media if "assist-reports" in m["source_url"]]


def test_a_storage_directory_outside_the_web_root_is_honoured(wordpress: WordPressSite) -> None:
    owner = wordpress.create_user("Hors Racine")
    outside = wordpress.workdir / "private-reports"
    out = wordpress.php(
        """
        define('ASSIST_REPORTS_DIR', $args['dir']);
        $stored = Assist_Reports::store(
            $args['client'], 'lot-x', 'Hors racine', "%PDF-1.4 test", 'r.pdf');
        echo wp_json_encode(Assist_Reports::path($stored[0]));
        """,
        {"dir": str(outside), "client": owner.id},
    )
    path = Path(out.strip().strip('"').replace("\\/", "/"))
    assert path.parent == outside
    assert path.read_bytes() == b"%PDF-1.4 test"
