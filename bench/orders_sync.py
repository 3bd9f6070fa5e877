"""Benchmark: the orders sync against the sandbox shop, next to the simplest hand-written loop.

    python bench/orders_sync.py [--clients 2000] [--orders 10000] [--latency-ms 0 20]

For each latency, one seeded sandbox shop serves three phases, each run in its own fresh child
process (``multiprocessing`` with ``spawn``) so that its peak RSS is its own: the child reads its
``VmHWM`` (peak resident set of its own address space) at the end — ``ru_maxrss`` would carry
over the size of the parent, which holds the sandbox:

1. ``assist-sync full``: ``sync_orders(full=True)`` into an empty SQLite ledger — every order
   read and validated, refunds fetched where an order has some, guests matched, lots opened,
   every touched client recomputed, one transaction per page;
2. ``assist-sync incremental``: the next, no-change incremental run on that ledger;
3. ``woocommerce loop``: ``woocommerce.API(...).get("orders", params={"per_page": 100,
   "page": n})`` until an empty page, ``.json()`` of each page kept in a list — what a user
   would write with the package alone (it reads orders only: no refunds, no ledger; with no
   cursor, every later run is this same full read).

Requests are counted by the sandbox (requests it answered during the phase) and bytes are the
response bodies the client received. "RSS at start" is the child's ``VmRSS`` after its imports
and set-up, before the phase's work, so the difference is what the work itself took.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

PHASES = ("assist-sync full", "assist-sync incremental", "woocommerce loop")


@dataclass(frozen=True)
class Result:
    phase: str
    seconds: float
    requests: int
    bytes: int
    rss_start_mb: float
    rss_peak_mb: float
    note: str


def memory_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process from ``/proc/self/status``, in MB.

    Not ``ru_maxrss``: Linux carries the parent's peak over fork and exec into it, so a child
    of the process that holds the sandbox would start at the sandbox's size. ``VmHWM`` is the
    peak of this process's own address space since its exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def rss_mb() -> float:
    return memory_mb("VmRSS")


def peak_mb() -> float:
    return memory_mb("VmHWM")


def run_sync(env: dict[str, str], full: bool, conn: Connection) -> None:
    """Child: one ``sync_orders`` run; sends (seconds, bytes, rss start, rss peak, note)."""
    from config import load_settings
    from ledger.db import open_database
    from sync.orders import sync_orders
    from wp_client.woo import WooClient

    settings = load_settings(env, dotenv_path=None)
    db = open_database(settings.database_url)
    woo = WooClient.from_settings(settings)
    start_rss = rss_mb()
    started = time.perf_counter()
    summary = sync_orders(db, woo, settings, now=datetime.now(UTC), full=full)
    seconds = time.perf_counter() - started
    note = (
        f"{summary.orders_read} orders read, {summary.lots_opened} lots opened, "
        f"{summary.unassigned} guests held"
    )
    conn.send((seconds, woo.bytes_received, start_rss, peak_mb(), note))
    woo.close()
    db.close()


def run_loop(url: str, key: str, secret: str, conn: Connection) -> None:
    """Child: the simplest loop with the ``woocommerce`` package alone."""
    from woocommerce import API

    api = API(url=url, consumer_key=key, consumer_secret=secret, version="wc/v3", timeout=60)
    start_rss = rss_mb()
    started = time.perf_counter()
    orders: list[Any] = []
    received = 0
    page = 1
    while True:
        response = api.get("orders", params={"per_page": 100, "page": page})
        received += len(response.content)
        batch = response.json()
        if not batch:
            break
        orders.extend(batch)
        page += 1
    seconds = time.perf_counter() - started
    conn.send((seconds, received, start_rss, peak_mb(), f"{len(orders)} orders in memory"))


def in_child(target: Any, *args: Any) -> tuple[float, int, float, float, str]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(*args, child))
    process.start()
    child.close()
    values = parent.recv()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"phase {target.__name__} failed (exit {process.exitcode})")
    return values  # type: ignore[no-any-return]


def bench(clients: int, orders: int, latency_ms: int) -> list[Result]:
    from sandbox import Sandbox

    results: list[Result] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        Sandbox(
            seed=1, clients=clients, orders=orders, latency_ms=latency_ms, with_client_area=False
        ) as shop,
    ):
        env = dict(line.split("=", 1) for line in shop.env_lines())
        env["ASSIST_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'ledger.sqlite3'}"
        phases: list[tuple[str, Any, tuple[Any, ...]]] = [
            (PHASES[0], run_sync, (env, True)),
            (PHASES[1], run_sync, (env, False)),
            (PHASES[2], run_loop, (shop.url, shop.consumer_key, shop.consumer_secret)),
        ]
        for name, target, args in phases:
            before = len(shop.requests)
            seconds, received, rss_start, rss_peak, note = in_child(target, *args)
            served = shop.requests[before:]
            note = f"{note}; requests: {breakdown([r.route for r in served])}"
            results.append(Result(name, seconds, len(served), received, rss_start, rss_peak, note))
    return results


def breakdown(routes: list[str]) -> str:
    """How many requests went to each kind of route (orders list, one order, refunds, ...)."""
    kinds: dict[str, int] = {}
    for route in routes:
        parts = route.strip("/").split("/")  # wc, v3, orders[, id[, refunds]]
        if parts[2:3] == ["orders"]:
            kind = {3: "order lists", 4: "single orders", 5: "refunds"}.get(len(parts), route)
        else:
            kind = "/".join(parts[2:3]) or route
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{count} {kind}" for kind, count in kinds.items())


def print_table(clients: int, orders: int, latency_ms: int, results: list[Result]) -> None:
    print(f"\n{clients} clients, {orders} orders, {latency_ms} ms latency per request")
    head = f"{'phase':<24} {'wall s':>8} {'requests':>9} {'bytes':>13} {'RSS start MB':>13}"
    print(f"{head} {'peak RSS MB':>12}  note")
    for r in results:
        print(
            f"{r.phase:<24} {r.seconds:>8.2f} {r.requests:>9} {r.bytes:>13,} "
            f"{r.rss_start_mb:>13.1f} {r.rss_peak_mb:>12.1f}  {r.note}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 20])
    options = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {mp.cpu_count()} CPUs; each phase in a fresh process")
    for latency in options.latency_ms:
        results = bench(options.clients, options.orders, latency)
        print_table(options.clients, options.orders, latency, results)


if __name__ == "__main__":
    main()
