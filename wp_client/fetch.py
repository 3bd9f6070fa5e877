"""One HTTP attempt within bounds: a whole-request deadline and a cap on the answer's size.

``fetch`` sends one request with ``stream=True`` under a ``Watchdog`` and reads the body itself,
chunk by chunk, counting decompressed bytes, so an answer that is too slow, too long or a
compression bomb stops where its limit is reached — never after it was read whole. It returns
an ``Answer`` (status, headers, final URL, body) or raises ``DeadlinePassed``, ``TooLarge`` or a
``requests`` exception, which ``HttpClient`` translates; nothing here words a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from requests.structures import CaseInsensitiveDict

from config.settings import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_DEADLINE
from wp_client.watchdog import Watchdog

if TYPE_CHECKING:
    from config import Settings

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What one attempt may cost: ``deadline`` seconds in all, ``max_bytes`` of decoded body."""

    deadline: float = DEFAULT_REQUEST_DEADLINE
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """ASSIST_REQUEST_DEADLINE and ASSIST_MAX_RESPONSE_BYTES."""
        return cls(settings.request_deadline, settings.max_response_bytes)


@dataclass(frozen=True)
class Answer:
    """A response read whole, within the limits."""

    status: int
    headers: CaseInsensitiveDict[str]
    url: str
    content: bytes


class DeadlinePassed(Exception):
    """No complete answer within ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


class TooLarge(Exception):
    """The answer is (or announces to be, ``declared``) larger than ``limit`` bytes."""

    def __init__(self, limit: int, declared: int | None) -> None:
        super().__init__(f"answer larger than {limit} bytes")
        self.limit = limit
        self.declared = declared


def fetch(
    session: requests.Session,
    method: str,
    url: str,
    limits: Limits,
    *,
    timeout: tuple[float, float],
    **kwargs: Any,
) -> Answer:
    """Send one request (``kwargs`` go to ``session.request``) and read its answer whole.

    Raises DeadlinePassed once ``limits.deadline`` seconds have passed since the call, whatever
    stage the attempt was at; TooLarge for a body above ``limits.max_bytes`` (decoded); the
    ``requests`` exception otherwise (a body cut off reads as ``ChunkedEncodingError``).
    """
    with Watchdog(limits.deadline) as watchdog:
        connect, read = timeout
        left = max(watchdog.remaining(), 0.001)
        try:
            response = session.request(
                method, url, timeout=(min(connect, left), min(read, left)), stream=True, **kwargs
            )
        except requests.RequestException:
            if watchdog.expired():
                raise DeadlinePassed(limits.deadline) from None
            raise
        try:
            content = _read_body(response, limits.max_bytes, watchdog)
            # As requests stores a body it read: the response stays whole for whoever logs it.
            response._content = content
        except requests.RequestException:
            if watchdog.expired():
                raise DeadlinePassed(limits.deadline) from None
            raise
        finally:
            response.close()
        if watchdog.expired():
            # The body may look complete (a connection-close answer ends at the shutdown).
            raise DeadlinePassed(limits.deadline)
    return Answer(response.status_code, response.headers, response.url or url, content)


def _read_body(response: requests.Response, max_bytes: int, watchdog: Watchdog) -> bytes:
    declared = _content_length(response.headers)
    if declared is not None and declared > max_bytes:
        raise TooLarge(max_bytes, declared)
    if response.request is not None and response.request.method == "HEAD":
        return b""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(max_bytes, None)
            if watchdog.expired():
                raise DeadlinePassed(watchdog.seconds)
            chunks.append(chunk)
    except (requests.exceptions.ConnectionError, requests.exceptions.SSLError) as exc:
        # A body that stops half-way is a truncated answer, not a failure to connect.
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    return b"".join(chunks)


def _content_length(headers: Mapping[str, str]) -> int | None:
    value = headers.get("Content-Length")
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None  # urllib3 refuses it (or reads to the end); the streamed count still holds
