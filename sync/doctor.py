"""``doctor``: can the daemon talk to the shop (and the client area)? One line per finding.

The probes themselves are ``wp_client.diagnose`` (wrong URL, TLS failure, HTML instead of JSON,
wrong key vs wrong secret, an ``Authorization`` header stripped by the server, a shop too old
for ``modified_after``, missing permissions, the client-area plugin or capability missing).
This module decides which apply to the settings, turns missing settings and unusable URLs into
findings too, and never raises for a remote problem. Secrets never appear in a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from config import ConfigError, Settings
from wp_client.client_area import ClientAreaClient
from wp_client.diagnose import Finding, diagnose_client_area, diagnose_shop
from wp_client.errors import RemoteError
from wp_client.woo import WooClient

WooFactory = Callable[[Settings], WooClient]
AreaFactory = Callable[[Settings], ClientAreaClient]


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
    try:
        settings.require_shop()
    except ConfigError as exc:
        return [Finding(False, "shop.settings", problem) for problem in exc.problems]
    try:
        woo = factory(settings)
    except RemoteError as exc:
        return [Finding(False, "shop.url", str(exc))]
    try:
        return diagnose_shop(woo)
    finally:
        woo.close()


def _client_area(settings: Settings, factory: AreaFactory) -> list[Finding]:
    try:
        settings.require_client_area()
    except ConfigError as exc:
        return [Finding(False, "area.settings", problem) for problem in exc.problems]
    try:
        area = factory(settings)
    except RemoteError as exc:
        return [Finding(False, "area.url", str(exc))]
    try:
        return diagnose_client_area(area)
    finally:
        area.close()
