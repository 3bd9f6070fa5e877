"""Where each pack is sold: its product page in the shop, found by SKU and kept in the ledger.

Warnings link clients to the page of the pack to buy (``product_url``). The orders sync, the job
that talks to the shop, asks it for every pack SKU of the catalog in one request
(``GET products?sku=A,B,C``) when the ledger holds no page for one of them, or when the pages it
holds are a day old; the other jobs read the pages from the ledger. A SKU without a published
product keeps no page (its warnings link to the shop's home page) and is logged at each refresh;
``doctor`` names it. A failed request keeps what the ledger held and never fails the orders
sync: the next run asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ledger.records import MISSING_PRODUCT, ProductPageRow
from wp_client.errors import RemoteError

if TYPE_CHECKING:
    from ledger.store import LedgerStore
    from sync.sessions import Sessions, SharedSession
    from wp_client.woo import WooClient

REFRESH_AFTER = timedelta(days=1)
log = logging.getLogger("sync.product_pages")


def due(stored: Mapping[str, ProductPageRow], skus: Collection[str], now: datetime) -> bool:
    """Whether the shop must be asked: a SKU has no stored page, or one is a day old."""
    return any(sku not in stored or now - stored[sku].fetched_at >= REFRESH_AFTER for sku in skus)


def refresh_product_pages(
    sessions: Sessions | SharedSession, woo: WooClient, skus: Collection[str], now: datetime
) -> bool:
    """Ask the shop for the pages of ``skus`` when they are due (see ``due``) and store them.

    Returns True when the shop was asked and answered. Never raises for the shop: a failed
    request is logged and the stored pages stay.
    """
    ordered = sorted(skus)
    with sessions.reading() as store:
        if not ordered or not due(store.product_pages(), ordered, now):
            return False
    try:
        pages = woo.product_pages(ordered)
    except RemoteError as exc:
        log.warning("the packs' product pages could not be read (kept as they were): %s", exc)
        return False
    with sessions.writing() as store:
        for sku in ordered:
            page = pages.get(sku)
            row = (
                ProductPageRow(sku, page.product_id, page.status, page.url, now)
                if page is not None
                else ProductPageRow(sku, None, MISSING_PRODUCT, None, now)
            )
            store.save_product_page(row)
            if row.url is None:
                log.warning(
                    "pack %s has no published product in the shop (%s): its warnings link to "
                    "the shop's home page",
                    sku,
                    row.status,
                )
    return True


def product_urls(store: LedgerStore, given: Mapping[str, str] | None = None) -> dict[str, str]:
    """The product page of each pack as the ledger knows it, ``given`` ones taking precedence."""
    return {**store.product_urls(), **(given or {})}
