"""The wp-admin "Assistance" screens driven like a browser: real GETs for the forms and their
nonces, real POSTs to admin-post.php, as a user holding ``assist_log_time``."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import requests

if TYPE_CHECKING:
    from tests.wordpress.site import WordPressSite


class AdminFormError(AssertionError):
    """The screen refused the change; ``code`` is the error code carried by the redirect."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(f"admin form refused: {code} (HTTP {status})")
        self.code = code
        self.status = status


def form_nonce(page: str, *, field: str | None = None, value: int | None = None) -> str:
    """The ``_wpnonce`` of the form in ``page`` (the one holding ``field=value`` when given)."""
    if field is not None:
        pattern = rf'name="{field}" value="{value}">.*?name="_wpnonce" value="([0-9a-f]+)"'
    else:
        pattern = r'name="_wpnonce" value="([0-9a-f]+)"'
    match = re.search(pattern, page, re.S)
    if not match:
        raise AssertionError(f"no nonce for {field}={value} in the page")
    return match.group(1)


class StaffDesk:
    """One logged-in user in front of wp-admin → Assistance."""

    def __init__(self, site: WordPressSite, session: requests.Session) -> None:
        self.site = site
        self.session = session

    def _screen(self, query: str) -> str:
        response = self.session.get(
            f"{self.site.url}/wp-admin/admin.php?{query}", timeout=30, allow_redirects=False
        )
        if response.status_code != 200:
            raise AdminFormError("screen_refused", response.status_code)
        return response.text

    def _post(self, fields: dict[str, object]) -> int:
        """POST to admin-post.php; return the saved id from the redirect, raise on refusal."""
        response = self.session.post(
            f"{self.site.url}/wp-admin/admin-post.php",
            data={k: "" if v is None else str(v) for k, v in fields.items()},
            timeout=30,
        )
        query = parse_qs(urlsplit(response.url).query)
        if response.status_code != 200 or "assist_error" in query or "assist_msg" not in query:
            code = query.get("assist_error", ["http_error"])[0]
            raise AdminFormError(code, response.status_code)
        return int(query.get("saved", ["0"])[0])

    # ------------------------------------------------------------- tickets

    def create_ticket(
        self, client_id: int, title: str, *, status: str = "open", estimate: int | None = None
    ) -> int:
        page = self._screen("page=assist-tickets&action=new")
        return self._post(
            {
                "action": "assist_save_ticket",
                "ticket_id": 0,
                "_wpnonce": form_nonce(page),
                "client_id": client_id,
                "title": title,
                "status": status,
                "estimate_minutes": estimate,
            }
        )

    def edit_ticket(
        self,
        ticket_id: int,
        *,
        client_id: int,
        title: str,
        status: str = "open",
        estimate: int | None = None,
    ) -> None:
        page = self._screen(f"page=assist-tickets&action=edit&ticket={ticket_id}")
        self._post(
            {
                "action": "assist_save_ticket",
                "ticket_id": ticket_id,
                "_wpnonce": form_nonce(page),
                "client_id": client_id,
                "title": title,
                "status": status,
                "estimate_minutes": estimate,
            }
        )

    def delete_ticket(self, ticket_id: int) -> None:
        page = self._screen("page=assist-tickets")
        self._post(
            {
                "action": "assist_delete_ticket",
                "ticket_id": ticket_id,
                "_wpnonce": form_nonce(page, field="ticket_id", value=ticket_id),
            }
        )

    # -------------------------------------------------------- time entries

    def log_time(
        self,
        ticket_id: int,
        kind: str,
        minutes: int,
        *,
        performed_at: datetime | str | None = None,
        note: str = "",
    ) -> int:
        """Log time; ``performed_at`` is the site's local wall time (Europe/Paris), naive, or
        the text typed in the form's field as it is."""
        page = self._screen(f"page=assist-time&action=new&ticket={ticket_id}")
        if isinstance(performed_at, datetime):
            local = performed_at.strftime("%Y-%m-%dT%H:%M")
        else:
            local = performed_at or _default(page)
        return self._post(
            {
                "action": "assist_save_entry",
                "entry_id": 0,
                "_wpnonce": form_nonce(page),
                "ticket_id": ticket_id,
                "kind": kind,
                "minutes": minutes,
                "performed_at": local,
                "note": note,
            }
        )

    def edit_entry(
        self,
        entry_id: int,
        *,
        ticket_id: int,
        kind: str,
        minutes: int,
        performed_at: datetime,
        note: str = "",
    ) -> None:
        page = self._screen(f"page=assist-time&action=edit&entry={entry_id}")
        self._post(
            {
                "action": "assist_save_entry",
                "entry_id": entry_id,
                "_wpnonce": form_nonce(page),
                "ticket_id": ticket_id,
                "kind": kind,
                "minutes": minutes,
                "performed_at": performed_at.strftime("%Y-%m-%dT%H:%M"),
                "note": note,
            }
        )

    def delete_entry(self, entry_id: int) -> None:
        page = self._screen("page=assist-time")
        self._post(
            {
                "action": "assist_delete_entry",
                "entry_id": entry_id,
                "_wpnonce": form_nonce(page, field="entry_id", value=entry_id),
            }
        )


def _default(page: str) -> str:
    match = re.search(r'name="performed_at" value="([^"]+)"', page)
    if not match:
        raise AssertionError("no performed_at field in the time form")
    return html.unescape(match.group(1))
