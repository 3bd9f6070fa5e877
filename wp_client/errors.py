"""The whole exception tree of the HTTP layer.

Every failure of a remote call is one of these; ``requests``, ``urllib3`` and ``json`` errors are
translated at one boundary (``wp_client.http``) and never reach a caller. Messages are one
actionable line and never contain a credential: URLs are stripped of query strings and user
info before they are stored, and the client scrubs known secret values from every message.

    RemoteError                 base: .url (no secrets), .status, .code, .reason
    ├── ConfigurationError      wrong URL, TLS failure, no route, redirect, HTML instead of JSON
    │   └── AuthenticationError 401/403: wrong key or password, header stripped, missing capability
    ├── TransientError          connection errors, timeouts, 408/429/5xx once retries ran out
    └── BadPayloadError         malformed JSON, a wrong shape, an inconsistent page

``ConfigurationError`` means "a human must change something": alert, do not retry in a loop.
``TransientError`` means "try again later"; the caller keeps its cursor.
"""

from __future__ import annotations


class RemoteError(Exception):
    """A remote call failed.

    Attributes:
        url: the address called, without query string or credentials (None before any request).
        status: the HTTP status, or None when no response arrived.
        code: the WordPress/WooCommerce error code from the body (``rest_no_route``...), or None.
        reason: a short stable tag for programs (``dns``, ``tls``, ``html``, ``http_401``...);
            ``doctor`` uses it to tell failures apart without parsing messages.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        code: str | None = None,
        reason: str = "remote",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return self.message


class ConfigurationError(RemoteError):
    """The remote is reachable but set up wrongly for us: a human must fix a setting."""


class AuthenticationError(ConfigurationError):
    """The remote refused our credentials or their permissions (401/403)."""


class TransientError(RemoteError):
    """The remote did not answer usefully in time; retrying later may succeed."""


class BadPayloadError(RemoteError):
    """The remote answered, but not with what the API promises (JSON shape, page consistency)."""


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every non-trivial secret value replaced by ``***``."""
    for value in secrets:
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text
