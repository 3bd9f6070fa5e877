"""What the HTTP layer needs to know about one remote to word its errors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

# How to fix an ``Authorization`` header that never reaches WordPress (doctor's advice).
LET_AUTHORIZATION_THROUGH = (
    'let it through (Apache: "CGIPassAuth On" or "SetEnvIf Authorization (.*) '
    'HTTP_AUTHORIZATION=$1"; a proxy must forward it)'
)


class AuthExplainer(Protocol):
    """(status, code, message) → one line explaining an authentication failure, or None for
    the generic line. ``doctor``: the line is for ``assist-sync doctor`` itself, so it must not
    send the user to run it."""

    def __call__(
        self, status: int, code: str | None, message: str, *, doctor: bool = False
    ) -> str | None: ...


@dataclass(frozen=True)
class Remote:
    """Names used in messages: ``name`` ("WooCommerce"), the settings a user would fix.

    ``doctor`` marks the copy ``assist-sync doctor`` probes with (see ``for_doctor``).
    """

    name: str
    url_setting: str
    credentials: str
    ca_setting: str
    no_route_hint: str
    explain_auth: AuthExplainer | None = None
    doctor: bool = False

    def fill(self, hint: str) -> str:
        return hint.format(
            url_setting=self.url_setting, credentials=self.credentials, ca_setting=self.ca_setting
        )

    def for_doctor(self) -> Remote:
        """The same remote, wording its errors for ``doctor`` (no "run doctor" advice)."""
        return replace(self, doctor=True)
