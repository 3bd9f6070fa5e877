"""What both remote clients share: their ``HttpClient``, its counters, and closing it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from wp_client.http import HttpClient


class RemoteClient:
    """Base of ``WooClient`` and ``ClientAreaClient``: one ``HttpClient`` in ``self.http``.

    ``requests_made`` counts attempts (retries and probes included), ``bytes_received`` the body
    bytes; usable as a context manager that closes the pooled session.
    """

    http: HttpClient

    @property
    def requests_made(self) -> int:
        return self.http.requests_made

    @property
    def bytes_received(self) -> int:
        return self.http.bytes_received

    def close(self) -> None:
        """Close the pooled session (when the client created it)."""
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
