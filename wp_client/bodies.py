"""Reading response bodies: JSON or not, and the WordPress error shape ``{code, message, data}``.

Everything here is untrusted input. JSON is parsed within limits, so that a hostile body is a
``NotJson`` like any other malformed one instead of an interpreter error: nesting deeper than
``MAX_JSON_DEPTH`` (checked before parsing: the parser would recurse once per level), numbers of
more than ``MAX_NUMBER_DIGITS`` digits (Python refuses past 4,300 with a ``ValueError``, and
converting them costs quadratic time), and ``NaN``/``Infinity``, which are not JSON. Text taken
from a body for a message goes through ``safe_line``: one line, no control character.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from wp_client.errors import BadPayloadError

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Control characters (ANSI escapes start with ESC), and the invisible ones that reorder or hide
# text on a terminal (bidirectional overrides, zero-width marks).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

MAX_JSON_DEPTH = 128
MAX_NUMBER_DIGITS = 100
# A JSON string (possessive, and one left open runs to the end: the scan stays linear).
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
# Both kinds of bracket as one (mismatched kinds are the parser's to refuse), nothing else.
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_PHP_NOTICE = re.compile(
    r"<b>(Warning|Notice|Deprecated|Fatal error)</b>|^(Warning|Notice|Deprecated):"
)


class NotJson(Exception):
    """The body is not JSON. ``html`` tells an HTML page (proxy, WAF, maintenance) apart;
    ``problem`` says what is wrong with a body that looked like JSON, when that is known."""

    def __init__(self, html: bool, php_notice: bool, snippet: str, problem: str = "") -> None:
        super().__init__(snippet)
        self.html = html
        self.php_notice = php_notice
        self.snippet = snippet
        self.problem = problem


class _Refused(ValueError):
    """A value the JSON parser met that we do not take (raised from its hooks)."""


@dataclass(frozen=True)
class ErrorBody:
    code: str | None
    message: str


def decode_json(content: bytes, content_type: str) -> object:
    """Parse ``content`` as JSON (a UTF-8 BOM is tolerated) within the limits above; raise
    NotJson otherwise."""
    text = content.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    problem = ""
    if not stripped.startswith("<"):
        # The body decides, not the header: some page caches replay JSON as text/html.
        if nested_deeper_than(content, MAX_JSON_DEPTH):
            problem = f"nested deeper than {MAX_JSON_DEPTH} levels"
        else:
            try:
                return json.loads(
                    text,
                    parse_int=_integer,
                    parse_float=_decimal_number,
                    parse_constant=_constant,
                )
            except _Refused as exc:
                problem = str(exc)
            except (ValueError, RecursionError):
                pass
    looks_html = not problem and (stripped.startswith("<") or "html" in content_type.lower())
    raise NotJson(
        html=looks_html,
        php_notice=bool(_PHP_NOTICE.search(stripped[:2000])),
        snippet=safe_line(_TAG.sub(" ", stripped[:300]), 80),
        problem=problem,
    )


def nested_deeper_than(content: bytes, limit: int) -> bool:
    """Whether the arrays and objects of ``content`` nest more than ``limit`` deep.

    Strings are dropped, then everything but brackets, then innermost empty pairs are removed
    one level per pass (``bytes.replace``, in C): a structure ``d`` deep vanishes in ``d``
    passes, and a run of ``limit - passes + 1`` opening brackets proves it deeper at once.
    Brackets that never pair (malformed JSON) are left for the parser to refuse.
    """
    if content.count(b"[") + content.count(b"{") <= limit:
        return False
    skeleton = _JSON_STRING.sub(b"", content).translate(_BRACKETS, _NOT_BRACKETS)
    for removed in range(limit + 1):
        if b"(" * (limit - removed + 1) in skeleton:
            return True
        reduced = skeleton.replace(b"()", b"")
        if len(reduced) == len(skeleton):
            return False
        skeleton = reduced
    return False  # not reached: the last pass looks for a single opening bracket


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number of more than {MAX_NUMBER_DIGITS} digits")
    return int(digits)


def _decimal_number(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise _Refused(f"a number of more than {MAX_NUMBER_DIGITS} digits")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:20]} is out of range")
    return value


def _constant(name: str) -> object:
    raise _Refused(f"{name}, which is not JSON")


def error_body(data: object) -> ErrorBody | None:
    """The ``{code, message}`` of a WordPress/WooCommerce error body, or None if not that shape."""
    if not isinstance(data, dict):
        return None
    code = data.get("code")
    message = data.get("message")
    if not isinstance(code, str) and not isinstance(message, str):
        return None
    text = safe_line(_TAG.sub("", message), 200) if isinstance(message, str) else ""
    return ErrorBody(safe_line(code, 80) if isinstance(code, str) else None, text)


def safe_line(text: str, limit: int) -> str:
    """Remote ``text`` fit for one line of a log or a terminal: whitespace runs (CR and LF
    included) become one space, other control characters (ANSI escapes...) are shown escaped
    (``\\x1b``), and the result has at most ``limit`` characters (``…`` marks a cut)."""
    text = _SPACE.sub(" ", text).strip()
    text = _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)
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
