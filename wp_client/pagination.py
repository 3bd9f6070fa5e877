"""Reading a WordPress REST collection page by page, checking every page before handing it on.

A page that is not what the API promises raises ``BadPayloadError`` (an HTML page raises
``ConfigurationError`` in ``HttpClient``) so the caller stops and keeps its cursor; nothing is
ever read as "0 orders". Checked on every page:

* the body is a JSON list of at most ``per_page`` objects, each with an integer ``id``;
* no id appears twice in the run (a proxy that drops ``page`` repeats page 1);
* with ``ascending_ids`` (we asked ``orderby=id&order=asc``), ids only ever increase — a shop
  or cache that ignores the order would make page boundaries unstable;
* ``X-WP-Total`` never drops between pages: a row that left the window while it was read
  shifts every later row back by one, so one would be skipped. A rise is accepted — with ids
  ascending, new rows land after the ones read (a row entering earlier would repeat an id on
  the next page, which is refused) — and the run follows the new ``X-WP-TotalPages``;
* ``X-WP-TotalPages`` agrees with ``X-WP-Total`` and ``per_page`` (else ``per_page`` was ignored);
* a page before the last is full, and no page before the last is empty.

The run stops on an empty page (a page past the end is ``200 []`` with totals 0 — the real
shop's behaviour), after page ``X-WP-TotalPages``, or, without those headers, after a short page.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from wp_client.errors import BadPayloadError
from wp_client.http import HttpClient

MAX_PER_PAGE = 100
Page = list[dict[str, Any]]


def check_per_page(per_page: int) -> int:
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= 100:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE} (got {per_page!r})")
    return per_page


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


class PageReader(Iterator[Page]):
    """Iterate the pages of ``path``; only one page is held at a time.

    ``total`` (``X-WP-Total`` of the first page) and ``pages_read`` are filled as pages arrive,
    so a progress display can use them.
    """

    def __init__(
        self,
        http: HttpClient,
        path: str,
        params: Mapping[str, object],
        *,
        per_page: int = MAX_PER_PAGE,
        what: str = "records",
        ascending_ids: bool = False,
    ) -> None:
        self.http = http
        self.path = path
        self.params = dict(params)
        self.per_page = check_per_page(per_page)
        self.what = what
        self.ascending_ids = ascending_ids
        self._last_id = 0
        self.total: int | None = None
        self.total_pages: int | None = None
        self.pages_read = 0
        self._pages = self._generate()

    def __next__(self) -> Page:
        return next(self._pages)

    def __iter__(self) -> PageReader:
        return self

    def _fail(self, page: int, problem: str) -> BadPayloadError:
        where = f"{self.http.api_root}/{self.path}"
        return BadPayloadError(
            f"{self.what} page {page} from {where} is inconsistent: {problem} — the run stops "
            "here and the next one starts again from the same point",
            url=where,
            status=200,
            reason="page",
        )

    def _generate(self) -> Iterator[Page]:
        seen: set[int] = set()
        self._last_id = 0
        page = 1
        while True:
            body, headers = self.http.get_json(
                self.path, {**self.params, "page": page, "per_page": self.per_page}
            )
            items = self._check_items(page, body, seen)
            total = _header_int(headers, "X-WP-Total")
            pages = _header_int(headers, "X-WP-TotalPages")
            if not items:
                if self.total_pages is not None and page <= self.total_pages:
                    raise self._fail(
                        page, f"empty although {self.total_pages} pages were announced"
                    )
                return
            self._check_totals(page, len(items), total, pages)
            self.pages_read += 1
            yield items
            if self.total_pages is not None:
                if page >= self.total_pages:
                    return
            elif len(items) < self.per_page:
                return
            page += 1

    def _check_items(self, page: int, body: object, seen: set[int]) -> Page:
        if not isinstance(body, list):
            raise self._fail(page, f"expected a JSON list, got {type(body).__name__}")
        if len(body) > self.per_page:
            raise self._fail(page, f"{len(body)} items for per_page={self.per_page}")
        for item in body:
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, int) or isinstance(ident, bool):
                raise self._fail(page, f"an item has no integer id ({str(item)[:60]!r})")
            if ident in seen:
                raise self._fail(page, f"id {ident} was already on an earlier page")
            if self.ascending_ids and ident <= self._last_id:
                raise self._fail(page, f"id {ident} after id {self._last_id}: not sorted by id")
            seen.add(ident)
            self._last_id = ident
        return body

    def _check_totals(self, page: int, count: int, total: int | None, pages: int | None) -> None:
        if total is None or pages is None:
            return
        if pages != math.ceil(total / self.per_page):
            raise self._fail(
                page,
                f"X-WP-TotalPages {pages} does not match X-WP-Total {total} at "
                f"per_page={self.per_page} (is a proxy dropping the query string?)",
            )
        if self.total is not None and total < self.total:
            raise self._fail(
                page, f"X-WP-Total went from {self.total} to {total} while pages were read"
            )
        self.total, self.total_pages = total, pages
        if page < pages and count < self.per_page:
            raise self._fail(page, f"only {count} items on a page before the last")
        if page > pages:
            raise self._fail(page, f"a non-empty page after the announced {pages} pages")
