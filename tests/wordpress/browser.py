"""Headless Chromium (Debian's ``chromium``) driven by Playwright for Python, for looking at the
plugin's pages inside the real shop: screenshots kept as test artefacts and measures of what the
browser actually laid out (computed styles, boxes, overflow).

Playwright never downloads a browser here: it launches the system's ``/usr/bin/chromium``
(``CHROMIUM`` overrides the path). ``logged_in_page`` reuses the cookies of a
``WordPressSite.login()`` session, so a test logs in once over HTTP and looks with the browser.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.wordpress.site import SiteUser, WordPressSite

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WIDTHS = (1280, 390)


def missing_browser() -> str | None:
    """Why no browser can run here, or None."""
    if shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system Chromium, headless, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def logged_in_page(
    browser: Browser, site: WordPressSite, user: SiteUser | None, width: int
) -> Iterator[Page]:
    """A fresh browser tab ``width`` px wide, logged in as ``user`` (anonymous when None)."""
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        ignore_https_errors=site.shop.tls,
        locale="fr-FR",
        timezone_id="Europe/Paris",
    )
    try:
        if user is not None:
            host = urlsplit(site.url).hostname
            cookies: list[Any] = [
                {"name": c.name, "value": c.value or "", "domain": host, "path": c.path or "/"}
                for c in site.login(user).cookies
            ]
            context.add_cookies(cookies)
        page = context.new_page()
        yield page
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-artifacts/screenshots/<name>.png``, print its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


# Measures taken inside the page. Sizes are CSS pixels.
MEASURE_BLOCK = """
(root) => {
  const block = document.querySelector(root);
  if (!block) return null;
  const size = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : null;
  const texts = [];
  for (const el of block.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && el.getClientRects().length) {
      texts.push({cls: el.className || el.tagName, size: size(el), text: el.textContent.trim().slice(0, 40)});
    }
  }
  const button = (sel) => {
    const el = block.querySelector(sel);
    if (!el) return null;
    const s = getComputedStyle(el);
    return {background: s.backgroundColor, border: s.borderTopColor, color: s.color,
            width: el.getBoundingClientRect().width};
  };
  return {
    remaining: size(block.querySelector('.assist-remaining-value')),
    texts,
    buy: button('button[value="buy_pack"]'),
    bill: button('button[value="bill"]'),
  };
}
"""

MEASURE_OVERFLOW = """
([root, tables]) => {
  const block = document.querySelector(root);
  const viewport = document.documentElement.clientWidth;
  const out = {viewport, scrollWidth: document.documentElement.scrollWidth, overflowing: [],
               clipped: [], tables: []};
  for (const el of block.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > viewport + 0.5 || r.left < -0.5)) {
      out.overflowing.push((el.className || el.tagName) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
      out.clipped.push((el.className || el.tagName) + ' ' + el.scrollWidth + '>' + el.clientWidth);
    }
  }
  for (const table of block.querySelectorAll(tables)) {
    const cells = [...table.querySelectorAll('tbody td:not([colspan])')];  // not an empty-list row
    out.tables.push({
      head: getComputedStyle(table.querySelector('thead') || table).display,
      rows: [...table.querySelectorAll('tbody tr')].map(tr => getComputedStyle(tr).display),
      labels: cells.map(c => getComputedStyle(c, '::before').content),
    });
  }
  return out;
}
"""


def measure_block(page: Page, root: str = ".assist-mon-assistance") -> dict[str, Any]:
    """Font sizes of every text of the block and the two decision buttons' colours."""
    measured: dict[str, Any] | None = page.evaluate(MEASURE_BLOCK, root)
    assert measured is not None, f"no {root} on {page.url}"
    return measured


def measure_overflow(
    page: Page, root: str = ".assist-mon-assistance", tables: str = "table"
) -> dict[str, Any]:
    """Horizontal overflow of the document and of the block's elements, and how the block's
    ``tables`` lay out (display of the head and rows, label before each cell)."""
    measured: dict[str, Any] = page.evaluate(MEASURE_OVERFLOW, [root, tables])
    return measured
