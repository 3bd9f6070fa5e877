"""How the pages look in a real browser inside the real shop (Twenty Twenty-One and WooCommerce's
own stylesheets): screenshots at 1280 and 390 px kept in ``test-artifacts/screenshots/``, and
the layout checked from the browser's computed styles and boxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.wordpress.browser import (
    WIDTHS,
    logged_in_page,
    measure_block,
    measure_overflow,
    screenshot,
)
from tests.wordpress.payloads import push, showcase_payload
from tests.wordpress.site import SiteUser, WordPressSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.wordpress

PLACES = {"tab": "/my-account/mon-assistance/", "shortcode": "/mon-assistance-page/"}


@dataclass(frozen=True)
class Showcase:
    client: SiteUser
    ticket: int


def upload_report(site: WordPressSite, client: SiteUser, title: str) -> None:
    requests.post(
        f"{site.api}/reports",
        params={"client_id": client.id, "lot_id": "order-13-line-9", "title": title},
        data=b"%PDF-1.4\n% " + title.encode() + b"\n",
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="rapport.pdf"',
        },
        auth=site.daemon_auth(),
        timeout=30,
    ).raise_for_status()


@pytest.fixture(scope="module")
def showcase(wordpress: WordPressSite) -> Showcase:
    """A customer holding packs, tasks, an overrun warning to decide and two reports."""
    client = wordpress.create_user("Camille Vitrine", role="customer")
    ticket = wordpress.seed_ticket(client.id, "Ajouter une page Tarifs", estimate=240)
    product = wordpress.php_json(
        "echo wp_json_encode(get_permalink(wc_get_product_id_by_sku('ASSIST-10H')));"
    )
    payload = showcase_payload(ticket, product_url=product)
    push(wordpress, client.id, payload)
    upload_report(wordpress, client, "Rapport d'intervention – Pack Assistance 3h du 02/11/2026")
    upload_report(wordpress, client, "Relevé d'assistance – tous vos packs")
    return Showcase(client, ticket)


def smaller_texts(measured: dict[str, Any]) -> list[dict[str, Any]]:
    """Every text of the block at least as large as the remaining-time headline."""
    return [
        t
        for t in measured["texts"]
        if "assist-remaining-value" not in str(t["cls"]) and t["size"] >= measured["remaining"]
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("place", PLACES)
def test_the_client_page_keeps_its_design_in_the_shop(
    wordpress: WordPressSite, browser: Browser, showcase: Showcase, place: str, width: int
) -> None:
    with logged_in_page(browser, wordpress, showcase.client, width) as page:
        response = page.goto(wordpress.url + PLACES[place])
        assert response is not None and response.status == 200
        screenshot(page, f"client-{place}-{width}")
        measured = measure_block(page)

        # The remaining time is the largest text of the block, clearly.
        assert measured["remaining"] >= 28
        assert smaller_texts(measured) == []
        for cls in (
            "assist-remaining-hint",
            "assist-synced",
            "assist-warning-text",
            "assist-task-title",
        ):
            sizes = [t["size"] for t in measured["texts"] if cls in str(t["cls"]).split()]
            assert sizes and max(sizes) <= 0.6 * measured["remaining"], (cls, sizes)

        # The two decisions look different: a primary and a secondary button.
        buy, bill = measured["buy"], measured["bill"]
        assert buy is not None and bill is not None
        assert buy["background"] != bill["background"]
        assert buy["color"] != bill["color"]

        layout = measure_overflow(page)
        assert layout["scrollWidth"] <= layout["viewport"], layout
        assert layout["overflowing"] == [], layout["overflowing"]
        assert layout["clipped"] == [], layout["clipped"]
        if width < 600:
            # Narrow screens: every table becomes stacked cards, each cell labelled.
            assert layout["tables"], "no table on the page"
            for table in layout["tables"]:
                assert table["head"] == "none"
                assert all(display != "table-row" for display in table["rows"])
                assert all(label not in ("none", "normal", '""') for label in table["labels"])


@pytest.mark.parametrize("width", WIDTHS)
def test_an_anonymous_visitor_sees_a_login_prompt_that_fits(
    wordpress: WordPressSite, browser: Browser, width: int
) -> None:
    with logged_in_page(browser, wordpress, None, width) as page:
        response = page.goto(wordpress.page_url)
        assert response is not None and response.status == 200
        screenshot(page, f"anonymous-shortcode-{width}")
        assert page.locator(".assist-login").is_visible()
        layout = measure_overflow(page)
        assert layout["scrollWidth"] <= layout["viewport"]
        assert layout["overflowing"] == []


STAFF_SCREENS = {
    "tickets": "page=assist-tickets",
    "ticket-form": "page=assist-tickets&action=new",
    "time": "page=assist-time",
    "time-form": "page=assist-time&action=new",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", STAFF_SCREENS)
def test_the_staff_screens_as_the_support_role(
    wordpress: WordPressSite, browser: Browser, showcase: Showcase, screen: str, width: int
) -> None:
    with logged_in_page(browser, wordpress, wordpress.staff, width) as page:
        response = page.goto(f"{wordpress.url}/wp-admin/admin.php?{STAFF_SCREENS[screen]}")
        assert response is not None and response.status == 200
        assert page.url.startswith(f"{wordpress.url}/wp-admin/admin.php")  # not sent away
        screenshot(page, f"staff-{screen}-{width}")
        layout = measure_overflow(page, ".wrap.assist-admin", ".assist-admin-table")
        assert layout["overflowing"] == [], layout["overflowing"]
        if width < 600:
            for table in layout["tables"]:
                assert table["head"] == "none"
                assert all(label not in ("none", "normal", '""') for label in table["labels"])


ODD = (
    "🚀✨ <script>window.assistPwned = 1</script> عنوان عربي طويل من اليمين إلى اليسار "
    + "Très long titre " * 12
)[:200]


def test_long_and_odd_data_neither_break_the_layout_nor_escape(
    wordpress: WordPressSite, browser: Browser
) -> None:
    client = wordpress.create_user("Données Bizarres 🚀", role="customer")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, ODD, estimate=12000)
    desk.log_time(ticket, "production", 10000, note=ODD)
    payload = showcase_payload(ticket, product_url=None)
    payload["lots"][0]["label"] = ODD
    payload["recent_tasks"][0].update(title=ODD, minutes_by_kind={"production": 10000})
    payload["warnings"][0]["message"] = ODD
    payload["remaining_label"] = "166 h 40 min"
    push(wordpress, client.id, payload)
    for width in WIDTHS:
        with logged_in_page(browser, wordpress, client, width) as page:
            page.goto(wordpress.url + PLACES["tab"])
            screenshot(page, f"odd-data-client-{width}")
            assert page.evaluate("window.assistPwned") is None
            assert page.get_by_text("<script>window.assistPwned = 1</script>").count() >= 1
            layout = measure_overflow(page)
            assert layout["scrollWidth"] <= layout["viewport"], layout
            assert layout["overflowing"] == [] and layout["clipped"] == [], layout
        with logged_in_page(browser, wordpress, wordpress.staff, width) as page:
            for screen in ("page=assist-tickets", f"page=assist-time&ticket={ticket}"):
                page.goto(f"{wordpress.url}/wp-admin/admin.php?{screen}")
                screenshot(page, f"odd-data-staff-{screen.split('&')[0][5:]}-{width}")
                assert page.evaluate("window.assistPwned") is None
                layout = measure_overflow(page, ".wrap.assist-admin")
                assert layout["overflowing"] == [], layout["overflowing"]
