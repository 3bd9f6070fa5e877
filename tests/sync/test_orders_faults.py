"""Each sandbox fault against a real run: nothing lost, nothing doubled, the cursor safe.

The reference is a clean run of the same seeded shop into another ledger. A fault either is
absorbed (retries, Retry-After, a re-read listing) and the run ends equal to the reference, or
it fails the run: the cursor stays where it was, the failure is recorded, and a re-run ends
equal to the reference. Pages are 10 orders, so the 40 seeded orders make 4 pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox import Sandbox
from sync.order_cursor import OrderCursor
from tests.sync.orders_world import World, make_world, seeded_world_fixture  # noqa: F401
from wp_client.errors import BadPayloadError, ConfigurationError, TransientError

pytestmark = pytest.mark.timeout(90)
PER_PAGE = 10
Snapshot = tuple[dict[str, tuple[int, int, int, bool]], dict[int, int]]


def snapshot(world: World) -> Snapshot:
    """Every lot, and every client's remaining minutes (a doubled lot would show in both)."""
    lots = world.all_lots()
    clients = {client for client, *_ in lots.values()}
    return lots, {c: world.balance(c).remaining_minutes for c in clients}


@pytest.fixture
def reference(sandbox: Sandbox, tmp_path: Path) -> Iterator[Snapshot]:
    clean = make_world(sandbox, f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    clean.sync(per_page=PER_PAGE)
    yield snapshot(clean)
    clean.woo.close()
    clean.db.close()


def after_orders(count: int, switch_on: Callable[[], None]) -> Callable[[int, int | None], None]:
    """A progress callback that switches a fault on once ``count`` orders are committed."""
    fired = False

    def progress(done: int, _total: int | None) -> None:
        nonlocal fired
        if done >= count and not fired:
            fired = True
            switch_on()

    return progress


def fails_then_recovers(
    world: World, reference: Snapshot, switch_on: Callable[[], None], error: type[Exception]
) -> None:
    """A first successful run, a failing one, a clean re-run — each with its own clock, so
    the cursor each would save is different."""
    start = datetime.now(UTC)
    world.sync(per_page=PER_PAGE, now=start + timedelta(seconds=1))
    saved = world.cursor()
    assert saved == after(world, start + timedelta(seconds=1))
    world.shop.touch(next(iter(world.shop.orders)))  # so the next run has something to read
    with pytest.raises(error):
        world.sync(
            per_page=PER_PAGE,
            full=True,
            progress=after_orders(10, switch_on),
            now=start + timedelta(seconds=10),
        )
    assert world.cursor() == saved  # never past a page that failed
    run = world.last_run()
    assert run.outcome == "failed" and run.error
    assert snapshot(world) == reference
    world.sandbox.faults.clear()
    world.sync(per_page=PER_PAGE, full=True, now=start + timedelta(seconds=20))
    assert snapshot(world) == reference
    assert world.cursor() == after(world, start + timedelta(seconds=20))
    assert world.last_run().outcome == "ok"


def after(world: World, now: datetime) -> OrderCursor:
    return OrderCursor.after_run(now, world.settings.overlap_seconds)


def first_run_fails_then_recovers(
    world: World, reference: Snapshot, switch_on: Callable[[], None], error: type[Exception]
) -> None:
    """A failing first run keeps what its committed pages hold and no cursor; a re-run ends
    equal to the reference."""
    with pytest.raises(error):
        world.sync(per_page=PER_PAGE, progress=after_orders(10, switch_on))
    assert world.cursor() is None
    partial, _ = snapshot(world)
    lots, _ = reference
    assert partial and all(lots[lot_id] == value for lot_id, value in partial.items())
    assert len(partial) < len(lots)
    world.sandbox.faults.clear()
    world.sync(per_page=PER_PAGE)
    assert snapshot(world) == reference
    assert isinstance(world.cursor(), OrderCursor)


def test_a_5xx_burst_is_retried_and_the_run_completes(
    seeded_world: World, reference: Snapshot
) -> None:
    seeded_world.sandbox.faults.server_error(2, status=502, path="/wc/v3/orders")
    seeded_world.sync(per_page=PER_PAGE)
    assert snapshot(seeded_world) == reference
    assert len(seeded_world.sleeps) == 2 and seeded_world.cursor() is not None


def test_5xx_beyond_the_retries_fails_the_run_and_keeps_the_cursor(
    seeded_world: World, reference: Snapshot
) -> None:
    faults = seeded_world.sandbox.faults
    fails_then_recovers(
        seeded_world, reference, lambda: faults.server_error(20, status=503), TransientError
    )


def test_a_first_run_failing_midway_keeps_its_committed_pages(
    seeded_world: World, reference: Snapshot
) -> None:
    faults = seeded_world.sandbox.faults
    first_run_fails_then_recovers(
        seeded_world, reference, lambda: faults.server_error(20, status=500), TransientError
    )


def test_429_honours_retry_after(seeded_world: World, reference: Snapshot) -> None:
    seeded_world.sandbox.faults.rate_limit(2, retry_after=7, path="/wc/v3/orders")
    seeded_world.sync(per_page=PER_PAGE)
    assert snapshot(seeded_world) == reference
    assert len(seeded_world.sleeps) == 2 and min(seeded_world.sleeps) >= 7


def test_slow_answers_are_waited_for(seeded_world: World, reference: Snapshot) -> None:
    seeded_world.sandbox.faults.slow(0.3, count=3, path="/wc/v3/orders")
    seeded_world.sync(per_page=PER_PAGE)
    assert snapshot(seeded_world) == reference and seeded_world.sleeps == []


def test_a_timeout_is_retried_then_fails_the_run_and_keeps_the_cursor(
    sandbox: Sandbox, tmp_path: Path, reference: Snapshot
) -> None:
    world = make_world(
        sandbox,
        f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        ASSIST_READ_TIMEOUT="0.5",
        ASSIST_MAX_RETRIES="1",
    )
    sandbox.faults.hang(2.0, count=1, path="/wc/v3/orders")
    world.sync(per_page=PER_PAGE)  # one timeout, retried
    assert snapshot(world) == reference and len(world.sleeps) == 1
    fails_then_recovers(world, reference, lambda: sandbox.faults.hang(2.0, count=4), TransientError)


def test_an_html_page_with_status_200_is_never_zero_orders(
    seeded_world: World, reference: Snapshot
) -> None:
    faults = seeded_world.sandbox.faults
    faults.html(1, path="/wc/v3/orders")
    with pytest.raises(ConfigurationError, match="HTML"):
        seeded_world.sync(per_page=PER_PAGE)
    assert seeded_world.cursor() is None and seeded_world.all_lots() == {}
    fails_then_recovers(seeded_world, reference, lambda: faults.html(5), ConfigurationError)


def test_malformed_json_fails_the_run_and_keeps_the_cursor(
    seeded_world: World, reference: Snapshot
) -> None:
    faults = seeded_world.sandbox.faults
    first_run_fails_then_recovers(
        seeded_world, reference, lambda: faults.malformed_json(5), BadPayloadError
    )


def test_rows_shifting_while_pages_are_read_are_not_missed(
    seeded_world: World, reference: Snapshot
) -> None:
    sandbox = seeded_world.sandbox
    sandbox.faults.shift_orders(after_page=1)  # an order of page 1 is edited after it is served
    before = len(sandbox.requests)
    # the bound is the real clock: the edited order leaves the frozen window, rows move up
    seeded_world.sync(per_page=PER_PAGE, now=datetime.now(UTC))
    assert snapshot(seeded_world) == reference
    pages = [r.query["page"] for r in sandbox.requests[before:] if r.route == "/wc/v3/orders"]
    assert pages == ["1", "2", "1", "2", "3", "4"]  # the shift was seen and the listing re-read
    assert seeded_world.cursor() is not None
    assert seeded_world.sync().orders_read >= 1  # the edited order is read by the next run


def test_a_listing_that_keeps_shifting_fails_and_keeps_the_cursor(
    seeded_world: World, reference: Snapshot
) -> None:
    earlier = datetime.now(UTC) - timedelta(seconds=30)  # seeded orders are all older
    seeded_world.sync(per_page=PER_PAGE, now=earlier)
    saved = seeded_world.cursor()
    assert saved == after(seeded_world, earlier)
    seeded_world.sandbox.faults.shift_orders(after_page=1, count=10)
    with pytest.raises(BadPayloadError, match="X-WP-Total"):
        seeded_world.sync(per_page=PER_PAGE, full=True, now=datetime.now(UTC))
    assert seeded_world.cursor() == saved and seeded_world.last_run().outcome == "failed"
    seeded_world.sandbox.faults.clear()
    later = datetime.now(UTC) + timedelta(seconds=20)
    seeded_world.sync(per_page=PER_PAGE, full=True, now=later)
    assert snapshot(seeded_world) == reference
    assert seeded_world.cursor() == after(seeded_world, later)
