"""``doctor``: can the daemon talk to the shop (and the client area)? One line per finding.

Each check makes at most a couple of read-only requests and turns the typed errors of
``wp_client`` into a verdict: wrong URL, TLS failure, HTML instead of JSON, wrong key, the
``Authorization`` header stripped by the server (the same key works in the query string),
missing permissions, ``modified_after`` not supported by an old WooCommerce, the client area
unreachable or refusing the application password. Secrets never appear in a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from config import ConfigError, Settings
from wp_client.client_area import ClientAreaClient
from wp_client.errors import AuthenticationError, RemoteError
from wp_client.http import HttpClient
from wp_client.woo import WC, WOO_REMOTE, WooClient, check_ca_bundle

NEEDED_ORDER_ARGS = ("modified_after", "modified_before", "dates_are_gmt")


@dataclass(frozen=True)
class Finding:
    """One line of the report: which check, whether it passed, and what to do."""

    check: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.check}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, check: str, ok: bool, message: str) -> bool:
        self.findings.append(Finding(check, ok, message))
        return ok


WooFactory = Callable[[Settings], WooClient]
AreaFactory = Callable[[Settings], ClientAreaClient]


def diagnose(
    settings: Settings,
    *,
    woo_factory: WooFactory = WooClient.from_settings,
    area_factory: AreaFactory = ClientAreaClient.from_settings,
    probe_session: Any = None,
) -> Report:
    """Run every check that applies to ``settings``; never raises for a remote problem."""
    report = Report()
    _check_shop(settings, report, woo_factory, probe_session)
    if settings.wp_url or settings.wp_username or settings.wp_app_password:
        _check_client_area(settings, report, area_factory)
    return report


def _check_shop(
    settings: Settings, report: Report, factory: WooFactory, probe_session: Any
) -> None:
    try:
        settings.require_shop()
    except ConfigError as exc:
        for problem in exc.problems:
            report.add("shop settings", False, problem)
        return
    try:
        woo = factory(settings)
    except RemoteError as exc:
        report.add("shop URL", False, str(exc))
        return
    with _closing(woo):
        try:
            body, _ = woo.http.get_json(f"{WC}/orders", {"per_page": 1, "orderby": "id"})
        except AuthenticationError as exc:
            report.add("shop URL", True, f"{woo.url} answers the WooCommerce REST API")
            if _header_stripped(settings, woo, probe_session):
                report.add(
                    "credentials",
                    False,
                    "the server strips the Authorization header: the same key works when sent "
                    "in the query string — pass it through (Apache: "
                    "`CGIPassAuth On` or `SetEnvIf Authorization (.+) HTTP_AUTHORIZATION=$1`)",
                )
            else:
                report.add("credentials", False, _refused(exc))
            return
        except RemoteError as exc:
            report.add("shop URL", False, _shop_failure(exc))
            return
        if not isinstance(body, list):
            report.add("shop URL", False, f"{woo.url}: the orders route did not answer a list")
            return
        report.add("shop URL", True, f"{woo.url} answers the WooCommerce REST API")
        auth = (
            "OAuth 1.0a signatures over plain HTTP" if woo.uses_oauth else "Basic auth over HTTPS"
        )
        report.add("credentials", True, f"the consumer key reads orders ({auth})")
        _check_customers(woo, report)
        _check_modified_after(woo, report)


def _shop_failure(exc: RemoteError) -> str:
    """The wp_client message, prefixed by what kind of mistake it is."""
    kinds = {
        "tls": "TLS failure",
        "html": "HTML instead of JSON",
        "no_route": "wrong URL",
        "redirect": "wrong URL",
        "dns": "wrong URL",
        "refused": "shop unreachable",
        "connect_timeout": "shop unreachable",
        "read_timeout": "shop too slow",
    }
    kind = kinds.get(exc.reason)
    return f"{kind}: {exc}" if kind else str(exc)


def _refused(exc: AuthenticationError) -> str:
    """The refusal, once a stripped header is ruled out (the client's own hint points here)."""
    if "assist-sync doctor" not in str(exc):
        return str(exc)
    said = f"{exc.status} {exc.code}" if exc.code else f"{exc.status}"
    return (
        f"WooCommerce refuses this consumer key ({said}), not because of a stripped header — "
        "check WOO_CONSUMER_KEY and WOO_CONSUMER_SECRET, and that the key's user can read "
        "orders (shop manager) with Read access"
    )


def _header_stripped(settings: Settings, woo: WooClient, session: Any) -> bool:
    """True when the key is refused in the header but accepted in the query string (HTTPS)."""
    if woo.uses_oauth:  # OAuth parameters travel in the query string already
        return False
    key, secret = settings.woo_consumer_key.reveal(), settings.woo_consumer_secret.reveal()
    probe = HttpClient(
        f"{woo.url}/wp-json",
        WOO_REMOTE,
        auth=None,
        session=session,
        timeout=(settings.connect_timeout, settings.read_timeout),
        ca_bundle=check_ca_bundle(settings.woo_ca_bundle, "WOO_CA_BUNDLE"),
        secrets=(key, secret),
    )
    try:
        query = {"per_page": 1, "consumer_key": key, "consumer_secret": secret}
        body, _ = probe.get_json(f"{WC}/orders", query)
        return isinstance(body, list)
    except RemoteError:
        return False
    finally:
        probe.close()


def _check_customers(woo: WooClient, report: Report) -> None:
    try:
        woo.http.get_json(f"{WC}/customers", {"per_page": 1, "role": "all"})
    except RemoteError as exc:
        report.add(
            "permissions",
            False,
            f"the key cannot list customers, so guest orders cannot be matched by e-mail: {exc}",
        )
        return
    report.add("permissions", True, "the key reads orders, refunds and customers")


def _check_modified_after(woo: WooClient, report: Report) -> None:
    try:
        accepted = woo.order_list_arguments()
    except RemoteError as exc:
        report.add("incremental sync", False, f"OPTIONS /orders failed: {exc}")
        return
    missing = [name for name in NEEDED_ORDER_ARGS if name not in accepted]
    if missing:
        report.add(
            "incremental sync",
            False,
            f"this WooCommerce does not accept {', '.join(missing)} on /orders (added in "
            "WooCommerce 5.x): update WooCommerce, or every sync would read every order",
        )
    else:
        report.add("incremental sync", True, "the shop filters orders by modified_after (GMT)")


def _check_client_area(settings: Settings, report: Report, factory: AreaFactory) -> None:
    try:
        settings.require_client_area()
    except ConfigError as exc:
        for problem in exc.problems:
            report.add("client area settings", False, problem)
        return
    try:
        area = factory(settings)
    except RemoteError as exc:
        report.add("client area", False, str(exc))
        return
    with _closing(area):
        try:
            me = area.whoami()
        except RemoteError as exc:
            report.add("client area", False, _shop_failure(exc))
            return
        who = me.get("username") or me.get("slug") or me.get("id")
        report.add("client area", True, f"authenticated as {who} with an application password")
        try:
            namespaces = area.namespaces()
        except RemoteError as exc:
            report.add("client area plugin", False, str(exc))
            return
        if "assist/v1" in namespaces:
            report.add("client area plugin", True, "the assist/v1 routes are active")
        else:
            report.add(
                "client area plugin",
                False,
                "the assist/v1 REST namespace is missing: activate the client-area plugin",
            )


@contextmanager
def _closing(client: WooClient | ClientAreaClient) -> Iterator[None]:
    try:
        yield
    finally:
        client.close()
