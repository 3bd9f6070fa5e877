"""Requests and responses as WordPress's REST layer sees and writes them.

``Request.params`` is the query parsed the way PHP fills ``$_GET``: a repeated bare key keeps the
last value, ``key[]`` builds a list, ``key[name]`` a dict. ``Request.pairs`` keeps the raw pairs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

PhpValue = str | list[Any] | dict[str, Any]

WP_HEADERS = {
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": (
        "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type"
    ),
}
NO_CACHE = {
    "Expires": "Wed, 11 Jan 1984 05:00:00 GMT",
    "Cache-Control": "no-cache, must-revalidate, max-age=0, no-store, private",
}
JSON_TYPE = "application/json; charset=UTF-8"


def php_params(pairs: list[tuple[str, str]]) -> dict[str, PhpValue]:
    """Fold query pairs like PHP: last bare key wins; ``a[]`` appends; ``a[k]`` sets a key."""
    params: dict[str, PhpValue] = {}
    for key, value in pairs:
        if "[" in key and key.endswith("]"):
            base, sub = key[: key.index("[")], key[key.index("[") + 1 : -1]
            if sub == "":
                current = params.get(base)
                if not isinstance(current, list):
                    current = []
                    params[base] = current
                current.append(value)
            else:
                holder = params.get(base)
                if not isinstance(holder, dict):
                    holder = {}
                    params[base] = holder
                holder[sub] = value
        else:
            params[key] = value
    return params


@dataclass
class Request:
    method: str
    path: str  # the URL path as sent
    route: str  # the REST route, e.g. /wc/v3/orders
    pairs: list[tuple[str, str]]  # query pairs without rest_route
    headers: Mapping[str, str]
    body: bytes
    base_url: str  # scheme://host[:port] the client used (OAuth base string, links)
    raw_pairs: list[tuple[str, str]] = field(default_factory=list)  # all pairs, as signed
    params: dict[str, PhpValue] = field(default_factory=dict)
    user_id: int | None = None  # set by authentication
    auth_kind: str = "none"
    key_permissions: str = ""

    def __post_init__(self) -> None:
        self.params = php_params(self.pairs)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    def json_body(self) -> Any:
        """The JSON body, or None when there is none or it does not parse."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    served_ids: list[int] = field(default_factory=list)  # ids on a served list page (faults)


def json_response(
    status: int, data: Any, *, headers: Mapping[str, str] | None = None, cache: bool = True
) -> Response:
    """A WordPress JSON response with its usual headers."""
    return raw_json_response(
        status, json.dumps(data, separators=(",", ":")).encode(), headers, cache
    )


def raw_json_response(
    status: int, body: bytes, headers: Mapping[str, str] | None = None, cache: bool = True
) -> Response:
    out = {"Content-Type": JSON_TYPE, **WP_HEADERS}
    if headers:
        out.update(headers)
    if cache:
        out.update(NO_CACHE)
    return Response(status, body, out)


def error(status: int, code: str, message: str, **data: Any) -> Response:
    """``{"code", "message", "data": {"status", ...}}``; 401s carry ``Vary: Origin`` like WP."""
    body = {"code": code, "message": message, "data": {"status": status, **data}}
    headers = {"Vary": "Origin"} if status == 401 else None
    return json_response(status, body, headers=headers, cache=status != 401)


def invalid_params(problems: Mapping[str, tuple[str, str]]) -> Response:
    """400 ``rest_invalid_param``: ``problems`` maps a param to (detail code, message)."""
    return error(
        400,
        "rest_invalid_param",
        "Invalid parameter(s): " + ", ".join(problems),
        params={name: msg for name, (_, msg) in problems.items()},
        details={
            name: {"code": code, "message": msg, "data": None}
            for name, (code, msg) in problems.items()
        },
    )


def no_route() -> Response:
    return error(404, "rest_no_route", "No route was found matching the URL and request method.")


def page_links(
    request: Request, route_url: str, page: int, total_pages: int, defaults: Mapping[str, str]
) -> str | None:
    """WordPress's ``Link`` header: ``prev`` and ``next`` only, echoing the query."""
    echoed: list[tuple[str, str]] = []
    for pair in request.pairs:  # the PHP client sends its params twice: echo them once
        if not pair[0].startswith("oauth_") and pair[0] != "page" and pair not in echoed:
            echoed.append(pair)
    names = {k.split("[")[0] for k, _ in echoed}
    extra = [(k, v) for k, v in defaults.items() if k.split("[")[0] not in names]
    links = []
    if page > 1:
        prev_page = min(page - 1, total_pages)
        links.append((prev_page, "prev"))
    if page < total_pages:
        links.append((page + 1, "next"))
    if not links:
        return None
    parts = []
    for number, rel in links:
        query = urlencode([*_with_page(echoed, number), *extra])
        parts.append(f'<{route_url}?{query}>; rel="{rel}"')
    return ", ".join(parts)


def _with_page(pairs: list[tuple[str, str]], page: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    placed = False
    for key, value in pairs:
        out.append((key, value))
        if key == "per_page" and not placed:
            out.append(("page", str(page)))
            placed = True
    if not placed:
        out.append(("page", str(page)))
    return out


def api_root_link(base_url: str) -> str:
    return f'<{base_url}/wp-json/>; rel="https://api.w.org/"'


def link_header(
    request: Request, page: int, pages: int, defaults: Mapping[str, str] | None = None
) -> str:
    """Pagination links of a list, or the API root link when there is no other page."""
    route_url = f"{request.base_url}/wp-json{request.route.rstrip('/')}"
    links = page_links(request, route_url, page, pages, defaults or {})
    return links or api_root_link(request.base_url)


def paged_json(request: Request, rows: list[Any], page: int, per_page: int) -> Response:
    """One page of ``rows`` with ``X-WP-Total``, ``X-WP-TotalPages`` and ``Link``.

    Past the last page the answer is ``200 []`` with totals 0, as the captured shop did.
    """
    total = len(rows)
    pages = -(-total // per_page)
    chunk = rows[(page - 1) * per_page : page * per_page]
    if not chunk:
        total = pages = 0
    headers = {
        "X-WP-Total": str(total),
        "X-WP-TotalPages": str(pages),
        "Link": link_header(request, page, pages),
    }
    return json_response(200, chunk, headers=headers)
