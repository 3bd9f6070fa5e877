"""Account payloads as ``sync/accounts`` writes them (docs/client-area-api.md), for tests."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from tests.wordpress.site import WordPressSite


def account_payload(ticket_id: int, *, remaining: int = 75) -> dict[str, Any]:
    """A client holding a 3 h pack after 75 min production + 30 training + 20 exchange."""
    return {
        "synced_at": "2026-11-26T10:00:00",
        "remaining_minutes": remaining,
        "uncovered_minutes": 0,
        "remaining_label": "1 h 15 min" if remaining == 75 else f"{remaining} min",
        "lots": [
            {
                "id": "order-13-line-9",
                "sku": "ASSIST-3H",
                "label": "Pack Assistance 3h",
                "opened_at": "2026-11-02T09:00:00",
                "expires_at": "2027-11-02T09:00:00",
                "granted_minutes": 180,
                "used_minutes": 180 - remaining,
                "remaining_minutes": remaining,
                "expired_minutes": 0,
                "status": "open",
                "status_label": "En cours",
            }
        ],
        "recent_tasks": [
            {
                "ticket_id": ticket_id,
                "title": "Ajouter une page Tarifs",
                "performed_at": "2026-11-03T14:00:00",
                "minutes_by_kind": {"production": 75, "training": 30, "exchange": 20},
                "deducted_minutes": 105,
            }
        ],
        "warnings": [
            {
                "key": f"overrun:{ticket_id}",
                "kind": "overrun",
                "ticket_id": ticket_id,
                "message": "L'estimation de ce ticket dépasse votre temps restant.",
                "estimate_minutes": 90,
                "remaining_minutes": remaining,
                "hourly_rate": "60.00",
                "product_url": "http://127.0.0.1/produit/pack-assistance-5h/",
            }
        ],
        "reports": [],
    }


def content_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def item(client_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {"client_id": client_id, "hash": content_hash(payload), "payload": payload}


def showcase_payload(ticket_id: int, *, product_url: str | None = None) -> dict[str, Any]:
    """A client with a bit of everything the page shows: a line of two packs, a used-up pack, an
    expired one, an admin credit, several tasks (one not fully covered), an overrun warning that
    asks for a decision and a low-balance warning."""
    payload = account_payload(ticket_id)
    base = payload["lots"][0]
    payload["remaining_minutes"] = 45
    payload["remaining_label"] = "45 min"
    payload["lots"] = [
        dict(
            base,
            id="order-21-line-4",
            sku="ASSIST-10H",
            label="2 × Pack Assistance 10h",
            opened_at="2026-10-01T08:00:00",
            expires_at="2027-10-01T08:00:00",
            granted_minutes=1200,
            used_minutes=1155,
            remaining_minutes=45,
        ),
        dict(
            base,
            id="order-13-line-9",
            used_minutes=180,
            remaining_minutes=0,
            status="used_up",
            status_label="épuisé",
        ),
        dict(
            base,
            id="order-4-line-2",
            sku="ASSIST-5H",
            label="Pack Assistance 5h",
            opened_at="2025-06-10T08:00:00",
            expires_at="2026-06-10T08:00:00",
            granted_minutes=300,
            used_minutes=255,
            remaining_minutes=0,
            expired_minutes=45,
            status="expired",
            status_label="expiré",
        ),
        dict(
            base,
            id="adjust-3",
            sku=None,
            label="Crédit ajouté",
            expires_at=None,
            granted_minutes=30,
            used_minutes=30,
            remaining_minutes=0,
            status="used_up",
            status_label="épuisé",
        ),
    ]
    payload["recent_tasks"].append(
        {
            "ticket_id": ticket_id + 1000,
            "title": "Mettre à jour les extensions et vérifier les sauvegardes",
            "performed_at": "2026-11-20T09:30:00",
            "minutes_by_kind": {"correction": 50, "exchange": 10},
            "deducted_minutes": 35,
            "uncovered_minutes": 15,
        }
    )
    payload["warnings"][0]["estimate_minutes"] = 240
    payload["warnings"][0]["remaining_minutes"] = 45
    payload["warnings"][0]["message"] = (
        "Votre demande « Ajouter une page Tarifs » est estimée à 4 h, mais il ne reste que "
        "45 min sur votre crédit d'assistance. Avant que nous commencions, merci de choisir : "
        "acheter un nouveau pack (le temps dépassé sera déduit en premier du nouveau crédit), ou "
        "accepter que le temps au-delà de votre crédit soit facturé au tarif horaire de votre "
        "Pack Assistance 10h, soit 55,00 € HT de l'heure."
    )
    payload["warnings"][0]["hourly_rate"] = "55.00"
    if product_url is None:
        del payload["warnings"][0]["product_url"]
    else:
        payload["warnings"][0]["product_url"] = product_url
    payload["warnings"].append(
        {
            "key": "low:order-21-line-4",
            "kind": "low_balance",
            "message": (
                "Il ne reste que 45 min sur votre crédit d'assistance. Pour que nos "
                "interventions continuent sans interruption, vous pouvez dès maintenant "
                "acheter un nouveau pack."
            ),
            "remaining_minutes": 45,
            "lot_id": "order-21-line-4",
            **({"product_url": product_url} if product_url else {}),
        }
    )
    return payload


def push(site: WordPressSite, client_id: int, payload: dict[str, Any]) -> None:
    """Store ``payload`` as the account of ``client_id``, as the daemon does (POST /accounts/batch)."""
    response = requests.post(
        f"{site.api}/accounts/batch",
        json={"accounts": [item(client_id, payload)]},
        auth=site.daemon_auth(),
        timeout=30,
    )
    assert response.json()["updated"] == [client_id], response.text
