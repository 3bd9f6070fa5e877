"""POST /accounts/batch on the real plugin: stored per user, unchanged on the same hash."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.wordpress.payloads import account_payload, item
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress


def push(site: WordPressSite, body: object) -> requests.Response:
    return requests.post(
        f"{site.api}/accounts/batch", json=body, auth=site.daemon_auth(), timeout=30
    )


def stored(site: WordPressSite, user_id: int) -> Any:
    return site.php_json("echo wp_json_encode(Assist_Accounts::get((int) $args));", user_id)


def test_batch_is_stored_then_unchanged_on_the_same_hash(wordpress: WordPressSite) -> None:
    a = wordpress.create_user("Compte Un")
    b = wordpress.create_user("Compte Deux")
    pa, pb = account_payload(1), account_payload(2, remaining=30)
    response = push(wordpress, {"accounts": [item(a.id, pa), item(b.id, pb)]})
    assert response.status_code == 200
    assert response.json() == {"updated": [a.id, b.id], "unchanged": [], "errors": []}
    first = stored(wordpress, a.id)
    assert first["payload"] == pa
    assert first["hash"] == item(a.id, pa)["hash"]

    again = push(wordpress, {"accounts": [item(a.id, pa), item(b.id, pb)]})
    assert again.json() == {"updated": [], "unchanged": [a.id, b.id], "errors": []}
    # No write: the stored record, including when it was received, is the same.
    assert stored(wordpress, a.id) == first

    changed = account_payload(1, remaining=45)
    third = push(wordpress, {"accounts": [item(a.id, changed)]})
    assert third.json()["updated"] == [a.id]
    assert stored(wordpress, a.id)["payload"]["remaining_minutes"] == 45


def test_text_with_quotes_backslashes_and_accents_survives(wordpress: WordPressSite) -> None:
    user = wordpress.create_user("Texte Brut")
    payload = account_payload(3)
    payload["recent_tasks"][0]["title"] = 'Page « Tarifs » \\ "devis" l\'été'
    assert push(wordpress, {"accounts": [item(user.id, payload)]}).status_code == 200
    assert stored(wordpress, user.id)["payload"] == payload


def test_bad_items_are_reported_and_the_batch_goes_on(wordpress: WordPressSite) -> None:
    good = wordpress.create_user("Bon Élément")
    payload = account_payload(4)
    response = push(
        wordpress,
        {
            "accounts": [
                item(999999, payload),
                {"client_id": good.id, "hash": "nothex", "payload": payload},
                {"client_id": good.id, "hash": "a" * 64, "payload": "texte"},
                item(good.id, payload),
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["updated"] == [good.id]
    assert [(e["client_id"], e["code"]) for e in body["errors"]] == [
        (999999, "assist_unknown_client"),
        (good.id, "assist_invalid_item"),
        (good.id, "assist_invalid_item"),
    ]
    assert all(e["message"] for e in body["errors"])


def test_more_than_100_items_is_413(wordpress: WordPressSite) -> None:
    user = wordpress.create_user("Trop Nombreux")
    payload = account_payload(5)
    response = push(wordpress, {"accounts": [item(user.id, payload)] * 101})
    assert response.status_code == 413
    assert response.json()["code"] == "assist_too_many_items"
    assert stored(wordpress, user.id) is None
    assert push(wordpress, {"accounts": [item(user.id, payload)] * 100}).status_code == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "rest_missing_callback_param"),
        ([], "rest_missing_callback_param"),
        ({"accounts": "x"}, "rest_invalid_param"),
        ({"accounts": {"5": {}}}, "rest_invalid_param"),
    ],
)
def test_a_malformed_body_is_400(wordpress: WordPressSite, body: object, code: str) -> None:
    response = push(wordpress, body)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_the_account_is_not_exposed_by_the_core_users_route(wordpress: WordPressSite) -> None:
    user = wordpress.create_user("Meta Privée")
    push(wordpress, {"accounts": [item(user.id, account_payload(6))]})
    admin = requests.get(
        f"{wordpress.url}/wp-json/wp/v2/users/{user.id}",
        params={"context": "edit"},
        auth=wordpress.daemon_auth(),
        timeout=30,
    )
    assert "assist_account" not in admin.text
    assert "Pack Assistance" not in admin.text
