"""WordPress-side routes: the plugin namespace ``assist/v1`` and ``/wp/v2/users/me``.

Contract: ``docs/client-area-api.md``. Every ``assist/v1`` route requires a user holding
``assist_sync`` through an Application Password: anonymous → 401 ``rest_forbidden``, a user
without the capability → 403 ``rest_forbidden``, bad credentials → 401 from WordPress.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sandbox.area import ClientAreaState, Entry, Ticket
from sandbox.auth import WpUser, check_app_password
from sandbox.params import Params, page_count
from sandbox.rest import Request, Response, api_root_link, error, json_response, no_route

CAP_SYNC = "assist_sync"
BATCH_LIMIT = 100
_DISPOSITION = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)

Handler = Callable[[Request, "re.Match[str]"], Response]


class AreaRoutes:
    """Dispatches ``/assist/v1/...`` and ``/wp/v2/users/me``."""

    def __init__(
        self, area: ClientAreaState, users: Mapping[int, WpUser], *, with_client_area: bool = True
    ) -> None:
        self.area = area
        self.users = users
        self.routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
            (re.compile(r"^/wp/v2/users/me/?$"), {"GET": self.users_me}),
        ]
        if with_client_area:
            self.routes += [
                (re.compile(r"^/assist/v1/tickets/?$"), {"GET": self.list_tickets}),
                (re.compile(r"^/assist/v1/time-entries/?$"), {"GET": self.list_entries}),
                (re.compile(r"^/assist/v1/accounts/batch/?$"), {"POST": self.accounts_batch}),
                (re.compile(r"^/assist/v1/reports/?$"), {"POST": self.upload_report}),
                (re.compile(r"^/assist/v1/reports/(\d+)/download/?$"), {"GET": self.download}),
            ]

    def handle(self, request: Request) -> Response:
        result = check_app_password(request, self.users)
        if result.error is not None:
            return result.error
        request.user_id, request.auth_kind = result.user_id, result.kind
        for pattern, methods in self.routes:
            match = pattern.match(request.route)
            if match:
                handler = methods.get("GET" if request.method == "HEAD" else request.method)
                if handler is None:
                    break
                if request.route.startswith("/assist/"):
                    denied = self._require(request, CAP_SYNC)
                    if denied is not None:
                        return denied
                return handler(request, match)
        return no_route()

    def _require(self, request: Request, capability: str) -> Response | None:
        if request.user_id is None:
            return error(401, "rest_forbidden", "Sorry, you are not allowed to do that.")
        user = self.users.get(request.user_id)
        if user is None or capability not in user.capabilities:
            return error(403, "rest_forbidden", "Sorry, you are not allowed to do that.")
        return None

    # ---- users/me (doctor) ----------------------------------------------------------------------
    def users_me(self, request: Request, _: re.Match[str]) -> Response:
        if request.user_id is None:
            return error(401, "rest_not_logged_in", "You are not currently logged in.")
        return json_response(
            200,
            user_json(self.users[request.user_id], request),
            headers={"Link": api_root_link(request.base_url)},
        )

    # ---- lists ---------------------------------------------------------------------------------
    def list_tickets(self, request: Request, _: re.Match[str]) -> Response:
        with self.area.lock:
            rows: list[Ticket | Entry] = list(self.area.tickets.values())
        return self._list(request, rows)

    def list_entries(self, request: Request, _: re.Match[str]) -> Response:
        with self.area.lock:
            rows: list[Ticket | Entry] = list(self.area.entries.values())
        return self._list(request, rows)

    def _list(self, request: Request, rows: list[Ticket | Entry]) -> Response:
        p = Params(request)
        after, before = p.utc_date("modified_after"), p.utc_date("modified_before")
        client = p.integer("client")
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        p.choice("orderby", ("id",), "id")
        order = p.choice("order", ("asc", "desc"), "asc")
        problem = p.error()
        if problem is not None:
            return problem

        def keep(row: Ticket | Entry) -> bool:
            modified = _naive(row.modified)
            return (
                (after is None or modified > after)
                and (before is None or modified <= before)
                and (client is None or row.client_id == client)
            )

        with self.area.lock:
            kept = sorted((r for r in rows if keep(r)), key=lambda r: r.id, reverse=order == "desc")
            total, pages = len(kept), page_count(len(kept), per_page)
            data = [r.as_json() for r in kept[(page - 1) * per_page : page * per_page]]
        return json_response(
            200, data, headers={"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        )

    # ---- accounts ------------------------------------------------------------------------------
    def accounts_batch(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json_body()
        items = body.get("accounts") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return error(
                400,
                "rest_missing_callback_param",
                "Missing parameter(s): accounts",
                params=["accounts"],
            )
        if len(items) > BATCH_LIMIT:
            return error(
                413,
                "assist_too_many_items",
                f"Au plus {BATCH_LIMIT} comptes par requête ({len(items)} reçus).",
            )
        out: dict[str, list[Any]] = {"updated": [], "unchanged": [], "errors": []}
        for item in items:
            outcome, problem = self.area.receive_account(item)
            if problem is not None:
                out["errors"].append(problem)
            else:
                out[outcome].append(item["client_id"])
        return json_response(200, out)

    # ---- reports -------------------------------------------------------------------------------
    def upload_report(self, request: Request, _: re.Match[str]) -> Response:
        p = Params(request)
        client_id = p.integer("client_id")
        problem = p.error()
        if problem is not None:
            return problem
        lot_id, title = request.params.get("lot_id"), request.params.get("title")
        missing = [
            name
            for name, value in (("client_id", client_id), ("lot_id", lot_id), ("title", title))
            if not value
        ]
        if missing:
            return error(
                400,
                "rest_missing_callback_param",
                "Missing parameter(s): " + ", ".join(missing),
                params=missing,
            )
        if not request.body:
            return error(400, "rest_upload_no_data", "No data supplied.")
        if not (request.header("Content-Type") or "").startswith("application/pdf") or not (
            request.body.startswith(b"%PDF-")
        ):
            return error(400, "assist_not_a_pdf", "Le rapport doit être un fichier PDF.")
        disposition = _DISPOSITION.search(request.header("Content-Disposition") or "")
        if disposition is None:
            return error(
                400, "rest_upload_no_content_disposition", "No Content-Disposition supplied."
            )
        assert client_id is not None and isinstance(lot_id, str) and isinstance(title, str)
        if not self.area.is_client(client_id):
            return error(400, "assist_unknown_client", f"Aucun utilisateur {client_id}.")
        report, created = self.area.receive_report(
            client_id, lot_id, title, disposition.group(1).strip(), request.body
        )
        return json_response(201 if created else 200, report.as_json())

    def download(self, request: Request, match: re.Match[str]) -> Response:
        with self.area.lock:
            report = self.area.reports.get(int(match.group(1)))
        if report is None:
            return error(404, "assist_report_not_found", "Rapport introuvable.")
        return Response(
            200,
            report.content,
            {
                "Content-Type": "application/pdf",
                "Content-Disposition": f'attachment; filename="{report.filename}"',
                "X-Content-Type-Options": "nosniff",
            },
        )


def user_json(user: WpUser, request: Request) -> dict[str, Any]:
    """``/wp/v2/users/<id>`` in the view context, or the edit context (``context=edit``)."""
    base = request.base_url
    avatar = hashlib.md5(user.email.lower().encode()).hexdigest()
    body: dict[str, Any] = {
        "id": user.id,
        "name": user.login,
        "url": "",
        "description": "",
        "link": f"{base}/author/{user.login}/",
        "slug": user.login,
        "avatar_urls": {
            size: f"http://1.gravatar.com/avatar/{avatar}?s={size}&d=mm&r=g"
            for size in ("24", "48", "96")
        },
        "meta": [],
        "is_super_admin": "manage_options" in user.capabilities,
        "woocommerce_meta": {},
        "_links": {
            "self": [{"href": f"{base}/wp-json/wp/v2/users/{user.id}"}],
            "collection": [{"href": f"{base}/wp-json/wp/v2/users"}],
        },
    }
    if request.params.get("context") == "edit":
        role = "administrator" if "manage_options" in user.capabilities else "editor"
        body.update(
            username=user.login,
            first_name="",
            last_name="",
            email=user.email,
            locale="fr_FR",
            nickname=user.login,
            roles=[role],
            registered_date="2025-01-06T09:00:00+00:00",
            capabilities={"read": True, **dict.fromkeys(sorted(user.capabilities), True)},
            extra_capabilities={role: True},
            meta={"persisted_preferences": []},
        )
    return body


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)
