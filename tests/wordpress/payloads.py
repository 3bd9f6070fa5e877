"""Account payloads as ``sync/accounts`` writes them (docs/client-area-api.md), for tests."""

from __future__ import annotations

import hashlib
import json
from typing import Any


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
