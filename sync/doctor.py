"""``doctor``: can the daemon talk to the shop (and the client area)? One line per finding.

The probes themselves are ``wp_client.diagnose`` (wrong URL, TLS failure, HTML instead of JSON,
wrong key vs wrong secret, an ``Authorization`` header stripped by the server, a shop too old
for ``modified_after``, missing permissions, the client-area plugin or capability missing).
This module decides which apply to the settings, turns missing settings and unusable URLs into
findings too, and never raises for a remote problem. Secrets never appear in a finding.
``Report.exit_code``: 0 all good, 2 a setting is missing or unusable, else 1 a check failed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import TypeVar

from config import ConfigError, Settings
from wp_client.client_area import ClientAreaClient
from wp_client.diagnose import Finding, diagnose_client_area, diagnose_shop
from wp_client.errors import RemoteError
from wp_client.woo import WooClient

WooFactory = Callable[[Settings], WooClient]
AreaFactory = Callable[[Settings], ClientAreaClient]
C = TypeVar("C", WooClient, ClientAreaClient)


def line(finding: Finding) -> str:
    """``ok    shop.url: …`` or ``FAIL  shop.credentials: …``."""
    return f"{'ok  ' if finding.ok else 'FAIL'}  {finding.check}: {finding.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.findings if not f.ok)

    @property
    def exit_code(self) -> int:
        """0 every check passed; 2 a setting is missing or unusable (fix the configuration
        first); 1 a check of a remote failed."""
        failed = [f for f in self.findings if not f.ok]
        if not failed:
            return 0
        return 2 if any(f.configuration for f in failed) else 1

    def lines(self) -> list[str]:
        return [line(f) for f in self.findings]


def diagnose(
    settings: Settings,
    *,
    woo_factory: WooFactory = WooClient.from_settings,
    area_factory: AreaFactory = ClientAreaClient.from_settings,
) -> Report:
    """Check the shop, and the client area when any ``WP_*`` setting is present."""
    report = Report()
    report.findings += _shop(settings, woo_factory)
    if settings.wp_url or settings.wp_username or settings.wp_app_password:
        report.findings += _client_area(settings, area_factory)
    return report


def _shop(settings: Settings, factory: WooFactory) -> list[Finding]:
    skus = list(settings.catalog.packs)
    return _remote(
        "shop",
        settings.require_shop,
        lambda: factory(settings),
        lambda woo: diagnose_shop(woo, skus),
    )


def _client_area(settings: Settings, factory: AreaFactory) -> list[Finding]:
    return _remote(
        "area", settings.require_client_area, lambda: factory(settings), diagnose_client_area
    )


def _remote(
    name: str,
    require: Callable[[], None],
    build: Callable[[], C],
    probe: Callable[[C], list[Finding]],
) -> list[Finding]:
    """The findings on one remote (``name``: ``shop`` or ``area``): its missing settings
    (``<name>.settings``), else a URL the client refuses (``<name>.url``), else what ``probe``
    finds; the client is closed after."""
    try:
        require()
    except ConfigError as exc:
        return [
            Finding(False, f"{name}.settings", problem, configuration=True)
            for problem in exc.problems
        ]
    try:
        client = build()
    except RemoteError as exc:  # the client refuses the settings before any request
        return [Finding(False, f"{name}.url", str(exc), configuration=True)]
    with closing(client):
        return probe(client)
