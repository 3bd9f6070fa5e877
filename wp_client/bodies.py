"""Reading response bodies: JSON or not, and the WordPress error shape ``{code, message, data}``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from wp_client.errors import BadPayloadError

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_PHP_NOTICE = re.compile(
    r"<b>(Warning|Notice|Deprecated|Fatal error)</b>|^(Warning|Notice|Deprecated):"
)


class NotJson(Exception):
    """The body is not JSON. ``html`` tells an HTML page (proxy, WAF, maintenance) apart."""

    def __init__(self, html: bool, php_notice: bool, snippet: str) -> None:
        super().__init__(snippet)
        self.html = html
        self.php_notice = php_notice
        self.snippet = snippet


@dataclass(frozen=True)
class ErrorBody:
    code: str | None
    message: str


def decode_json(content: bytes, content_type: str) -> object:
    """Parse ``content`` as JSON (a UTF-8 BOM is tolerated); raise NotJson otherwise."""
    text = content.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if not stripped.startswith("<"):
        # The body decides, not the header: some page caches replay JSON as text/html.
        try:
            return json.loads(text)
        except ValueError:
            pass
    looks_html = stripped.startswith("<") or "html" in content_type.lower()
    raise NotJson(
        html=looks_html,
        php_notice=bool(_PHP_NOTICE.search(stripped[:2000])),
        snippet=one_line(_TAG.sub(" ", stripped[:300]), 80),
    )


def error_body(data: object) -> ErrorBody | None:
    """The ``{code, message}`` of a WordPress/WooCommerce error body, or None if not that shape."""
    if not isinstance(data, dict):
        return None
    code = data.get("code")
    message = data.get("message")
    if not isinstance(code, str) and not isinstance(message, str):
        return None
    text = one_line(_TAG.sub("", message), 200) if isinstance(message, str) else ""
    return ErrorBody(code if isinstance(code, str) else None, text)


def one_line(text: str, limit: int) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def require_object(data: object, where: str, *, with_id: bool = False) -> dict[str, Any]:
    """``data`` if it is a JSON object (with an integer ``id`` if asked); else BadPayloadError."""
    if not isinstance(data, dict):
        raise BadPayloadError(
            f"{where} answered {type(data).__name__}, not a JSON object", url=where, reason="shape"
        )
    ident = data.get("id")
    if with_id and (not isinstance(ident, int) or isinstance(ident, bool)):
        raise BadPayloadError(
            f"{where} answered an object without an integer id", url=where, reason="shape"
        )
    return data
