"""What the HTTP layer needs to know about one remote to word its errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# (status, code, message) → one line explaining an authentication failure, or None for generic.
AuthExplainer = Callable[[int, str | None, str], str | None]


@dataclass(frozen=True)
class Remote:
    """Names used in messages: ``name`` ("WooCommerce"), the settings a user would fix."""

    name: str
    url_setting: str
    credentials: str
    ca_setting: str
    no_route_hint: str
    explain_auth: AuthExplainer | None = None

    def fill(self, hint: str) -> str:
        return hint.format(
            url_setting=self.url_setting, credentials=self.credentials, ca_setting=self.ca_setting
        )
