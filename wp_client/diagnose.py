"""Probes for ``assist-sync doctor``: each check is a function returning one ``Finding``.

A check talks to the remote with few retries and turns every failure into one line that says
what is wrong and what to change. The checks run in order; when a gate check fails (the site
cannot be reached, the credentials are refused) the later ones are skipped, since they would
only repeat the same failure.

The site check reads the public REST index ``/wp-json/`` anonymously: credentials there would be
read by WordPress itself (a consumer key sent as Basic auth is an unknown user name to it). The
credentials are then tried where the daemon uses them, with the transport it uses: the consumer
key on ``wc/v3`` (OAuth 1.0a over http, Basic over https), the Application Password on
``wp/v2/users/me``.

What the checks tell apart: wrong URL (DNS, connection refused, 404 ``rest_no_route`` or not
WordPress), TLS failure (an untrusted CA), HTML instead of JSON, a site address different from
WordPress's own, wrong consumer key vs wrong secret, an ``Authorization`` header stripped by the
server (the same key works in the query string), a shop too old for ``modified_after``, missing
permissions, a pack SKU with no published product, the client-area plugin not active, a wrong
Application Password, a user without the ``assist_sync`` capability.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wp_client.client_area import NS, ClientAreaClient
from wp_client.errors import AuthenticationError, RemoteError
from wp_client.http import HttpClient
from wp_client.remote import LET_AUTHORIZATION_THROUGH
from wp_client.woo import WC, WooClient, get_arguments, product_pages

PROBE_RETRIES = 1
OAUTH_ERROR = "woocommerce_rest_authentication_error"


@dataclass(frozen=True)
class Finding:
    """One line of ``doctor`` output: ``check`` names what was tested. ``configuration``: the
    failure is a setting missing or unusable (doctor then exits 2), not a remote answer."""

    ok: bool
    check: str
    message: str
    configuration: bool = False


Check = Callable[[], Finding]


def run_checks(checks: Sequence[tuple[Check, bool]]) -> list[Finding]:
    """Run ``(check, is_gate)`` in order, stopping after a failed gate."""
    findings: list[Finding] = []
    for check, gate in checks:
        finding = check()
        findings.append(finding)
        if gate and not finding.ok:
            break
    return findings


def _same_site(configured: str, home: object) -> bool:
    if not isinstance(home, str) or not home:
        return True
    a, b = urlsplit(configured), urlsplit(home.rstrip("/"))
    return (a.scheme, a.netloc.lower(), a.path.rstrip("/")) == (
        b.scheme,
        b.netloc.lower(),
        b.path.rstrip("/"),
    )


def check_index(
    http: HttpClient, site: str, setting: str, namespace: str, missing: str, check: str
) -> Finding:
    """GET /wp-json/: reachable, WordPress, the expected namespace, the same home address."""
    try:
        body, _ = http.get_json("")
    except RemoteError as exc:
        return Finding(False, check, str(exc))
    if not isinstance(body, dict) or not isinstance(body.get("namespaces"), list):
        return Finding(
            False, check, f"{site}/wp-json/ is not a WordPress REST index — check {setting}"
        )
    if namespace not in body["namespaces"]:
        return Finding(False, check, missing)
    if not _same_site(site, body.get("home")):
        return Finding(
            False,
            check,
            f"the site calls itself {body.get('home')} but {setting} is {site} — set {setting} to "
            "the site's own address (signatures and redirects depend on it)",
        )
    return Finding(True, check, f"{site}/wp-json/ answers, {namespace} is available")


def probes(http: HttpClient) -> tuple[HttpClient, HttpClient]:
    """(anonymous, authenticated) clients for doctor: few retries, errors worded for doctor."""
    remote = http.remote.for_doctor()
    return (
        http.derive(auth=None, max_retries=PROBE_RETRIES, remote=remote),
        http.derive(auth=http.auth, max_retries=PROBE_RETRIES, remote=remote),
    )


def diagnose_shop(woo: WooClient, skus: Sequence[str] = ()) -> list[Finding]:
    """Every WooCommerce check, in order; see the module docstring. ``skus``: the catalog's
    packs, each of which needs a published product (warnings link to its page)."""
    anonymous, probe = probes(woo.http)
    return run_checks(
        [
            (
                lambda: check_index(
                    anonymous,
                    woo.url,
                    "WOO_URL",
                    WC,
                    f"{woo.url} is WordPress but WooCommerce's REST API ({WC}) is missing — "
                    "is WooCommerce active, and WOO_URL the shop's address?",
                    "shop.url",
                ),
                True,
            ),
            (lambda: _check_shop_credentials(woo, probe), True),
            (lambda: _check_filters(probe), False),
            (lambda: _check_read(probe, "customers", "match guest orders by e-mail"), False),
            (lambda: _check_products(probe, skus), False),
        ]
    )


def _check_shop_credentials(woo: WooClient, probe: HttpClient) -> Finding:
    try:
        _, headers = probe.get_json(f"{WC}/orders", {"per_page": 1})
    except AuthenticationError as exc:
        if exc.status == 401 and exc.code == "woocommerce_rest_cannot_view" and not woo.uses_oauth:
            return _tell_stripped_header_from_unknown_key(woo, probe)
        if woo.uses_oauth and exc.code == OAUTH_ERROR and "signature" in str(exc):
            # shop.url found the site calling itself WOO_URL: the address signed is right
            return Finding(
                False,
                "shop.credentials",
                "WooCommerce rejected the consumer secret (the OAuth signature made with it does "
                "not match) — check WOO_CONSUMER_SECRET",
            )
        return Finding(False, "shop.credentials", str(exc))
    except RemoteError as exc:
        return Finding(False, "shop.credentials", str(exc))
    total = headers.get("X-WP-Total", "?")
    how = "OAuth 1.0a over http" if woo.uses_oauth else "Basic over https"
    return Finding(
        True, "shop.credentials", f"consumer key accepted ({how}); {total} orders visible"
    )


def _tell_stripped_header_from_unknown_key(woo: WooClient, probe: HttpClient) -> Finding:
    """Basic came back anonymous: ask once more with the key in the query string (HTTPS only).

    If that works, the key is right and the server drops the Authorization header.
    """
    bare = probe.derive(auth=None, max_retries=0)
    params: dict[str, object] = {"per_page": 1, **woo.query_string_credentials()}
    try:
        bare.get_json(f"{WC}/orders", params)
    except AuthenticationError as exc:
        if exc.code == "woocommerce_rest_cannot_view":
            return Finding(
                False,
                "shop.credentials",
                "WooCommerce does not know this consumer key — check WOO_CONSUMER_KEY (WooCommerce "
                "→ Settings → Advanced → REST API)",
            )
        return Finding(
            False,
            "shop.credentials",
            "the server strips the Authorization header, and the credentials are wrong too: "
            + str(exc),
        )
    except RemoteError as exc:
        return Finding(False, "shop.credentials", str(exc))
    return Finding(
        False,
        "shop.credentials",
        "the server strips the Authorization header (the same key works in the query string) — "
        + LET_AUTHORIZATION_THROUGH,
    )


def _check_filters(probe: HttpClient) -> Finding:
    try:
        body, _ = probe.request_json("OPTIONS", f"{WC}/orders")
    except RemoteError as exc:
        return Finding(False, "shop.filters", str(exc))
    missing = {"modified_after", "modified_before", "dates_are_gmt"} - get_arguments(body)
    if missing:
        return Finding(
            False,
            "shop.filters",
            f"this WooCommerce ignores {', '.join(sorted(missing))} (older than 5.8?) — update "
            "WooCommerce, or every sync would re-read all orders",
        )
    return Finding(True, "shop.filters", "orders can be filtered by modification date (GMT)")


def _check_read(probe: HttpClient, route: str, why: str) -> Finding:
    params: dict[str, Any] = {"per_page": 1}
    if route == "customers":
        params["role"] = "all"
    try:
        probe.get_json(f"{WC}/{route}", params)
    except RemoteError as exc:
        return Finding(False, f"shop.{route}", f"cannot read {route} (needed to {why}): {exc}")
    return Finding(True, f"shop.{route}", f"{route} readable")


def _check_products(probe: HttpClient, skus: Sequence[str]) -> Finding:
    """Each pack SKU has a published product: warnings send clients to its page to buy one."""
    if not skus:
        return _check_read(probe, "products", "map SKUs to packs")
    try:
        body, _ = probe.get_json(f"{WC}/products", {"sku": ",".join(skus), "per_page": 100})
    except RemoteError as exc:
        return Finding(False, "shop.products", f"cannot read products (needed for links): {exc}")
    pages = product_pages(body if isinstance(body, list) else [], skus)
    missing = [sku for sku in skus if sku not in pages]
    hidden = [f"{sku} ({pages[sku].status})" for sku in skus if sku in pages and not pages[sku].url]
    problems = ([f"no product has the SKU {', '.join(missing)}"] if missing else []) + (
        [f"not published: {', '.join(hidden)}"] if hidden else []
    )
    if problems:
        return Finding(
            False,
            "shop.products",
            "; ".join(problems) + " — create or publish the pack's product in WooCommerce "
            "(warnings link clients to its page), or remove the pack from ASSIST_CATALOG",
        )
    shown = ", ".join(f"{sku} {urlsplit(pages[sku].url or '').path}" for sku in skus)
    return Finding(True, "shop.products", f"every pack has its product page: {shown}")


def diagnose_client_area(area: ClientAreaClient) -> list[Finding]:
    """Every client-area check, in order: site, plugin, credentials, capability."""
    anonymous, probe = probes(area.http)
    return run_checks(
        [
            (
                lambda: check_index(
                    anonymous,
                    area.url,
                    "WP_URL",
                    NS,
                    f"{area.url} is WordPress but the assist-client-area plugin is not active "
                    f"(no {NS} namespace) — activate it, or check WP_URL",
                    "area.url",
                ),
                True,
            ),
            (lambda: _check_area_user(area, probe), True),
            (lambda: _check_area_route(probe), False),
        ]
    )


def _check_area_user(area: ClientAreaClient, probe: HttpClient) -> Finding:
    try:
        body, _ = probe.get_json("wp/v2/users/me", {"context": "edit"})
    except RemoteError as exc:
        return Finding(False, "area.credentials", str(exc))
    user = body if isinstance(body, dict) else {}
    caps = user.get("capabilities")
    name = user.get("username") or user.get("name") or area.username
    if isinstance(caps, dict) and not caps.get("assist_sync"):
        return Finding(
            False,
            "area.credentials",
            f"authenticated as {name}, who lacks the assist_sync capability — use an "
            "administrator or grant the capability",
        )
    return Finding(True, "area.credentials", f"authenticated as {name}")


def _check_area_route(probe: HttpClient) -> Finding:
    try:
        probe.get_json(f"{NS}/tickets", {"per_page": 1})
    except RemoteError as exc:
        return Finding(False, "area.routes", str(exc))
    return Finding(True, "area.routes", "tickets and time entries can be read")
