"""Looking inside ``requests`` transport exceptions: what happened, in words a user can act on."""

from __future__ import annotations

from collections.abc import Iterator

from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors behind it (MaxRetryError.reason, wrapped args, __cause__)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
        elif current.args and isinstance(current.args[0], BaseException):
            current = current.args[0]
        else:
            current = current.__cause__ or current.__context__


def connection_not_made(exc: BaseException) -> str | None:
    """``"dns"`` or ``"refused"`` when no connection was ever established, else None.

    Such a request never reached the server, so even a POST may be retried.
    """
    for cause in causes(exc):
        if isinstance(cause, NameResolutionError):
            return "dns"
        if isinstance(cause, NewConnectionError):
            return "refused"
    return None


def describe_transport_failure(exc: BaseException, reason: str, host: str) -> str:
    """A short phrase (no URL query, no secret) for a failure where no response arrived."""
    if reason == "tls":
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return f"TLS verification failed for {host}"
        if "hostname" in text.lower() and "match" in text.lower():
            return f"TLS certificate of {host} does not match the host name"
        return f"TLS handshake with {host} failed (is it really HTTPS on that port?)"
    phrases = {
        "dns": f"cannot resolve the host name {host}",
        "refused": f"cannot connect to {host} (connection refused or unreachable)",
        "connect_timeout": f"no answer from {host} while connecting",
        "read_timeout": f"{host} took too long to answer",
        "connection": f"the connection to {host} failed",
        "truncated": f"the answer from {host} was cut off",
        "proxy": f"the proxy towards {host} failed",
        "decoding": f"the answer from {host} could not be decompressed",
    }
    if reason in phrases:
        return phrases[reason]
    return f"the request to {host} failed ({type(exc).__name__})"
