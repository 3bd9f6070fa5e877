"""The client-area client: the ``assist/v1`` namespace of our WordPress plugin, and ``/users/me``.

Authenticated with an Application Password (Basic ``user:app-password``). WordPress ignores
Application Passwords over plain HTTP unless the site's ``WP_ENVIRONMENT_TYPE`` is ``local``, so
plain HTTP is only accepted for a loopback host or with ``allow_insecure_http``.
Routes and shapes: ``docs/client-area-api.md``.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import requests

from config import Secret
from wp_client.auth import BasicAuth
from wp_client.base import RemoteClient
from wp_client.bodies import require_object, safe_line
from wp_client.errors import BadPayloadError, ConfigurationError
from wp_client.fetch import Limits
from wp_client.http import HttpClient
from wp_client.pagination import MAX_PER_PAGE, PageReader
from wp_client.params import modified_window
from wp_client.remote import LET_AUTHORIZATION_THROUGH, Remote
from wp_client.retry import Backoff
from wp_client.urls import site_url
from wp_client.woo import as_secret, check_ca_bundle

if TYPE_CHECKING:
    from config import Settings

NS = "assist/v1"
MAX_BATCH = 100


def explain_wp_auth(
    status: int, code: str | None, message: str, *, doctor: bool = False
) -> str | None:
    """One line for a WordPress 401/403 on the client-area routes (``doctor``: for doctor's
    own finding, which gives the fix instead of sending the user to doctor)."""
    said = f"({status} {code}: {message})"
    if code in ("incorrect_password", "invalid_username", "invalid_email"):
        return (
            f"WordPress refused the credentials {said} — check WP_USERNAME and WP_APP_PASSWORD "
            "(an Application Password from the user's profile, not the login password)"
        )
    if code and code.startswith("application_passwords_disabled"):
        return f"Application Passwords are disabled on the site {said} — enable them for the user"
    if status == 401:
        fix = LET_AUTHORIZATION_THROUGH if doctor else "run `assist-sync doctor`"
        return (
            f"WordPress treated the request as anonymous {said} — over plain http it ignores "
            "Application Passwords unless WP_ENVIRONMENT_TYPE is local; otherwise the server "
            f"strips the Authorization header ({fix})"
        )
    return (
        f"WP_USERNAME lacks the permission {said} — give the user the assist_sync capability "
        "(administrators get it when the plugin is activated)"
    )


WP_REMOTE = Remote(
    name="The client area",
    url_setting="WP_URL",
    credentials="WP_USERNAME/WP_APP_PASSWORD",
    ca_setting="WP_CA_BUNDLE",
    no_route_hint="check WP_URL (the site address) and that the assist-client-area plugin "
    "is active",
    explain_auth=explain_wp_auth,
)


def _tamed(error: object) -> object:
    """A per-item error with its remote words made one safe line each (they end up in logs)."""
    if not isinstance(error, dict):
        return error
    return {
        key: safe_line(value, 200)
        if key in ("code", "message") and isinstance(value, str)
        else value
        for key, value in error.items()
    }


def disposition(filename: str) -> str:
    """``attachment; filename="…"`` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "rapport.pdf"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


class ClientAreaClient(RemoteClient):
    """Reads tickets and time entries; writes account payloads and report PDFs."""

    def __init__(
        self,
        url: str,
        username: str,
        app_password: Secret | str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        max_retries: int = 5,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        limits: Limits | None = None,
        time_left: Callable[[], float] | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.url = site_url(url, setting="WP_URL", allow_insecure_http=allow_insecure_http)
        app_password = as_secret(app_password)
        if not username:
            raise ConfigurationError("WP_USERNAME is not set", reason="credentials")
        if not app_password:
            raise ConfigurationError("WP_APP_PASSWORD is not set", reason="credentials")
        self.username = username
        self.http = HttpClient(
            f"{self.url}/wp-json",
            WP_REMOTE,
            auth=BasicAuth(username, app_password.reveal()),
            session=session,
            timeout=timeout,
            backoff=Backoff(max_retries=max_retries),
            sleep=sleep,
            limits=limits,
            time_left=time_left,
            ca_bundle=check_ca_bundle(ca_bundle, "WP_CA_BUNDLE"),
            secrets=(app_password.reveal(), app_password.reveal().replace(" ", "")),
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> ClientAreaClient:
        """Build from ``config.Settings`` (WP_URL, WP_USERNAME, WP_APP_PASSWORD, WP_CA_BUNDLE...).

        Without ``WP_CA_BUNDLE``, ``WOO_CA_BUNDLE`` is used when the client area is on the
        shop's host (one site); elsewhere the system CAs are (a CA file replaces them).
        """
        same_host = bool(settings.wp_url and settings.woo_url) and (
            urlsplit(settings.wp_url or "").hostname == urlsplit(settings.woo_url or "").hostname
        )
        shop_ca = settings.woo_ca_bundle if same_host else None
        return cls(
            settings.wp_url or "",
            settings.wp_username or "",
            settings.wp_app_password,
            timeout=(settings.connect_timeout, settings.read_timeout),
            max_retries=settings.max_retries,
            limits=Limits.from_settings(settings),
            allow_insecure_http=settings.allow_insecure_http,
            ca_bundle=settings.wp_ca_bundle or shop_ca,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"ClientAreaClient({self.url!r}, username={self.username!r}, app_password=********)"

    def iter_ticket_pages(
        self,
        *,
        modified_after: datetime | None,
        modified_before: datetime | None,
        client: int | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> PageReader:
        """Tickets (tombstones included) page by page, ``orderby=id&order=asc``."""
        return self._pages("tickets", modified_after, modified_before, client, per_page)

    def iter_entry_pages(
        self,
        *,
        modified_after: datetime | None,
        modified_before: datetime | None,
        client: int | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> PageReader:
        """Time entries (tombstones included) page by page, ``orderby=id&order=asc``."""
        return self._pages("time-entries", modified_after, modified_before, client, per_page)

    def push_accounts(self, items: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
        """Send up to 100 ``{client_id, hash, payload}`` items; return the per-item outcome.

        Returns ``{"updated": [ids], "unchanged": [ids], "errors": [{client_id, code,
        message}]}`` — item failures come back under HTTP 200 and are the caller's to handle;
        their ``code`` and ``message`` strings come as ``safe_line``s, fit for a log.
        Raises ValueError for more than 100 items (the server would answer 413), before sending.
        The batch is keyed by client and content hash, so a replay is harmless and the POST is
        retried like an idempotent request.
        """
        if len(items) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} accounts per batch (got {len(items)})")
        if not items:
            return {"updated": [], "unchanged": [], "errors": []}
        body, _ = self.http.send_json(
            "POST", f"{NS}/accounts/batch", {"accounts": list(items)}, idempotent=True
        )
        where = f"{self.http.api_root}/{NS}/accounts/batch"
        result = require_object(body, where)
        out: dict[str, list[Any]] = {}
        for key in ("updated", "unchanged", "errors"):
            value = result.get(key, [])
            if not isinstance(value, list):
                raise BadPayloadError(f"{where} answered a non-list {key!r}", url=where)
            out[key] = value
        out["errors"] = [_tamed(error) for error in out["errors"]]
        return out

    def upload_report(
        self, client_id: int, lot_id: str, title: str, pdf: bytes, filename: str
    ) -> dict[str, Any]:
        """Store a report PDF for ``client_id``; returns ``{id, client_id, lot_id, title,
        date_created_gmt, sha256}``. Posting the same (client, lot, content) again returns the
        existing report, so the POST is retried like an idempotent request.
        """
        if not pdf.startswith(b"%PDF"):
            raise ValueError("upload_report expects PDF bytes")
        body, _ = self.http.request_json(
            "POST",
            f"{NS}/reports",
            params={"client_id": int(client_id), "lot_id": lot_id, "title": title},
            data=pdf,
            headers={
                "Content-Type": "application/pdf",
                "Content-Disposition": disposition(filename),
            },
            idempotent=True,
        )
        return require_object(body, f"{self.http.api_root}/{NS}/reports", with_id=True)

    def whoami(self) -> dict[str, Any]:
        """``GET /wp/v2/users/me?context=edit``: the authenticated user, with capabilities."""
        body, _ = self.http.get_json("wp/v2/users/me", {"context": "edit"})
        return require_object(body, f"{self.http.api_root}/wp/v2/users/me", with_id=True)

    def namespaces(self) -> list[str]:
        """The REST namespaces the site offers (``GET /wp-json/``), e.g. ``assist/v1``."""
        body, _ = self.http.get_json("")
        found = require_object(body, f"{self.http.api_root}/").get("namespaces")
        return [n for n in found if isinstance(n, str)] if isinstance(found, list) else []

    def _pages(
        self,
        route: str,
        modified_after: datetime | None,
        modified_before: datetime | None,
        client: int | None,
        per_page: int,
    ) -> PageReader:
        params: dict[str, object] = {
            "orderby": "id",
            "order": "asc",
            **modified_window(modified_after, modified_before),
        }
        if client is not None:
            params["client"] = int(client)
        return PageReader(
            self.http, f"{NS}/{route}", params, per_page=per_page, what=route, ascending_ids=True
        )
