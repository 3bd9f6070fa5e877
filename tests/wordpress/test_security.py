"""Issue 4 "Done when" security: every assist/v1 route refuses anonymous callers and users
without the capability; wrong credentials are refused; nothing is written by a refused call."""

from __future__ import annotations

import re

import pytest
import requests

from tests.wordpress.payloads import account_payload, item
from tests.wordpress.site import SiteUser, WordPressSite

pytestmark = pytest.mark.wordpress

DAEMON_ROUTES = [
    ("GET", "/tickets"),
    ("GET", "/time-entries"),
    ("POST", "/accounts/batch"),
    ("POST", "/reports"),
]


def every_route(site: WordPressSite) -> list[tuple[str, str]]:
    """(method, path) of every route the plugin registers, read from the REST index."""
    index = requests.get(f"{site.url}/wp-json/assist/v1", timeout=30).json()
    out = []
    for route, spec in index["routes"].items():
        if route == "/assist/v1":
            continue
        path = re.sub(r"\(\?P<id>[^)]*\)", "1", route.removeprefix("/assist/v1"))
        out += [(method, path) for method in spec["methods"]]
    return out


def call(
    site: WordPressSite,
    method: str,
    path: str,
    *,
    auth: tuple[str, str] | None = None,
    session: requests.Session | None = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    sender = session.request if session is not None else requests.request
    if path == "/reports":
        # Valid arguments: WordPress checks them before the permission callback.
        headers = {
            **(headers or {}),
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="r.pdf"',
        }
    return sender(
        method,
        f"{site.api}{path}",
        params={"client_id": 1, "lot_id": "x", "title": "t"} if path == "/reports" else None,
        data=b"%PDF-1.4 x" if path == "/reports" else None,
        json={"accounts": [], "decision": "bill"}
        if path != "/reports" and method == "POST"
        else None,
        auth=auth,
        headers=headers,
        timeout=30,
    )


def test_the_index_lists_exactly_the_contract_routes(wordpress: WordPressSite) -> None:
    assert sorted(every_route(wordpress)) == sorted(
        [
            *DAEMON_ROUTES,
            ("GET", "/reports/1/download"),
            ("POST", "/tickets/1/decision"),
        ]
    )


def test_every_route_refuses_anonymous_callers(wordpress: WordPressSite) -> None:
    for method, path in every_route(wordpress):
        response = call(wordpress, method, path)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["code"] == "rest_forbidden"


@pytest.mark.parametrize(("method", "path"), DAEMON_ROUTES)
def test_daemon_routes_refuse_an_app_password_without_the_capability(
    wordpress: WordPressSite, method: str, path: str
) -> None:
    outsider = wordpress.outsider
    assert outsider.app_password is not None
    response = call(wordpress, method, path, auth=(outsider.login, outsider.app_password))
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "rest_forbidden"


@pytest.mark.parametrize("who", ["staff", "client"])
@pytest.mark.parametrize(("method", "path"), DAEMON_ROUTES)
def test_daemon_routes_refuse_logged_in_users_without_the_capability(
    wordpress: WordPressSite, method: str, path: str, who: str
) -> None:
    user: SiteUser = wordpress.staff if who == "staff" else wordpress.clients[0]
    session = wordpress.login(user)
    nonce = wordpress.rest_nonce(session)
    response = call(wordpress, method, path, session=session, headers={"X-WP-Nonce": nonce})
    assert response.status_code == 403, response.text


@pytest.mark.parametrize(("method", "path"), DAEMON_ROUTES)
def test_a_wrong_app_password_is_401(wordpress: WordPressSite, method: str, path: str) -> None:
    response = call(wordpress, method, path, auth=(wordpress.daemon.login, "aaaa bbbb cccc dddd"))
    # WordPress 6.1 here runs the request anonymous: 401 with the route's own code
    # (rest_forbidden), not incorrect_password; clients must key on the status.
    assert response.status_code == 401
    assert response.json()["code"] in ("rest_forbidden", "incorrect_password")


def test_the_daemon_user_is_allowed(wordpress: WordPressSite) -> None:
    for method, path in DAEMON_ROUTES:
        response = call(wordpress, method, path, auth=wordpress.daemon_auth())
        assert response.status_code in (200, 201), (method, path, response.text)


def test_a_refused_call_writes_nothing(wordpress: WordPressSite) -> None:
    victim = wordpress.create_user("Victime Écriture")
    outsider = wordpress.outsider
    assert outsider.app_password is not None
    response = requests.post(
        f"{wordpress.api}/accounts/batch",
        json={"accounts": [item(victim.id, account_payload(1))]},
        auth=(outsider.login, outsider.app_password),
        timeout=30,
    )
    assert response.status_code == 403
    assert (
        wordpress.php_json("echo wp_json_encode(Assist_Accounts::get((int) $args));", victim.id)
        is None
    )
    upload = requests.post(
        f"{wordpress.api}/reports",
        params={"client_id": victim.id, "lot_id": "x", "title": "t"},
        data=b"%PDF-1.4 forged",
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="r.pdf"',
        },
        auth=(outsider.login, outsider.app_password),
        timeout=30,
    )
    assert upload.status_code == 403
    assert (
        wordpress.php_json(
            "echo wp_json_encode(count(Assist_Reports::of_client((int) $args)));", victim.id
        )
        == 0
    )


def test_staff_get_both_capabilities_only_when_administrator(wordpress: WordPressSite) -> None:
    caps = wordpress.php_json(
        """
        $out = array();
        foreach (array('administrator', 'assist_staff', 'subscriber') as $role) {
            $r = get_role($role);
            $out[$role] = array($r->has_cap('assist_log_time'), $r->has_cap('assist_sync'));
        }
        $out['label'] = wp_roles()->get_names()['assist_staff'];
        echo wp_json_encode($out);
        """
    )
    assert caps == {
        "administrator": [True, True],
        "assist_staff": [True, False],
        "subscriber": [False, False],
        "label": "Agence – support",
    }
