"""Benchmark: the allocation engine on one busy client, before (the reference walk) and after.

    python bench/engine.py [--sizes 10000 100000] [--runs 5] [--reference-runs 1]
                           [--no-reference] [--shuffled]

A story of ``tests/ledger/busy_client.py`` — N time entries, N/10 lots and N/20 decisions of one
client over a fixed four years, so ten times the entries means ten times the lots valid at any
instant — is allocated by ``ledger.engine.allocate`` ("sweep") and by the walk it replaced,
kept verbatim in ``tests/ledger/reference_engine.py`` ("reference"), in two modes:

* ``first``: ``previous=None``, as when a client is first computed: every fact is an event;
* ``recompute``: ``previous`` = the facts of the same story, as when the store recomputes a
  client whose rows did not change: no event.

Beside them, "one pass" reads each row's fields once and computes nothing: how much more a
pass over ten times the rows costs on this machine (memory, caches) whatever the algorithm.

Each (engine, size) runs in its own fresh process (``multiprocessing`` with ``spawn``): it
builds the story, collects garbage, then times ``allocate`` ``--runs`` times per mode (the
cyclic garbage collector on, as in the daemon) and keeps the medians of its CPU time
(``time.process_time``, the process's own) and wall time (``time.perf_counter``). Entries per
second and ratios are computed on CPU time, which other processes on a busy machine disturb
far less than wall time; on an idle machine the two agree. Rows come in the order the store
loads them (``--shuffled``: in a random order). Printed: both times, entries per second with
the goal beside it (≥ 100,000/s at 10,000 entries), and the time ratio between the largest and
the smallest size with its goal (≤ 12× for 10×).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("reference", "sweep", "one pass")
MODES = ("first", "recompute")
FLOOR = "one pass"  # not an engine: each row read once, what any engine does at the least
RATE_GOAL = 100_000  # entries per second, one client at 10,000 entries
RATIO_GOAL = 12.0  # time for 10× the entries and lots, at most this many times


def modes_of(engine: str) -> tuple[str, ...]:
    return ("read",) if engine == FLOOR else MODES


@dataclass(frozen=True)
class Timing:
    engine: str
    mode: str
    entries: int
    lots: int
    cpu: float  # median CPU seconds of the runs (the process's own, time.process_time)
    wall: float  # median wall seconds of the runs (time.perf_counter)
    runs: int


def time_engine(engine: str, entries: int, runs: int, shuffled: bool, conn: Connection) -> None:
    """Child: build the story, then time ``runs`` allocations per mode; send the medians."""
    import gc

    sys.path.insert(0, str(ROOT))
    from ledger.engine import allocate
    from tests.ledger import reference_engine
    from tests.ledger.busy_client import CLIENT, NOW, POLICY, busy_story

    engines: dict[str, Callable[..., Any]] = {
        "sweep": allocate,
        "reference": reference_engine.allocate,
        FLOOR: read_once,
    }
    run = engines[engine]
    story = busy_story(entries)
    lots, work, decisions = list(story.lots), list(story.entries), list(story.decisions)
    if shuffled:
        for rows in (lots, work, decisions):
            random.Random(7).shuffle(rows)
    previous = None
    medians: list[tuple[str, float, float]] = []
    for mode in modes_of(engine):
        cpu: list[float] = []
        wall: list[float] = []
        for _ in range(runs):
            gc.collect()
            started, started_cpu = time.perf_counter(), time.process_time()
            allocation = run(CLIENT, lots, work, decisions, NOW, POLICY, previous)
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        medians.append((mode, statistics.median(cpu), statistics.median(wall)))
        previous = dict(allocation.facts)
    conn.send((len(story.lots), medians))


def read_once(client: Any, lots: Any, entries: Any, decisions: Any, *_: Any) -> Any:
    """The floor: each row's fields read once, nothing computed or kept. Its growth from one
    size to the next is what the machine's memory adds to any pass over more rows."""
    read = 0
    for e in entries:
        read += e.minutes + (e.performed_at is None) + (e.id is None) + (e.kind is None)
    for lot in lots:
        read += lot.quantity + (lot.opened_at is None) + (lot.expires_at is None)
    for d in decisions:
        read += (d.decided_at is None) + (d.ticket_id is None)
    return SimpleNamespace(facts={}, read=read)


def in_child(engine: str, entries: int, runs: int, shuffled: bool) -> list[Timing]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=time_engine, args=(engine, entries, runs, shuffled, child))
    process.start()
    child.close()
    lots, medians = parent.recv()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"{engine} at {entries} entries failed (exit {process.exitcode})")
    return [Timing(engine, mode, entries, lots, cpu, wall, runs) for mode, cpu, wall in medians]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(timings: list[Timing], sizes: list[int]) -> None:
    smallest, largest = min(sizes), max(sizes)
    print(
        f"{'engine':<10} {'mode':<10} {'entries':>8} {'lots':>7} {'runs':>4} {'CPU s':>8}"
        f" {'wall s':>8} {'entries/s':>10}  goal"
    )
    for t in timings:
        rate = t.entries / t.cpu
        goal = ""
        if t.entries == 10_000 and t.engine != FLOOR:
            goal = f"≥ {RATE_GOAL:,}/s at 10,000 entries: {verdict(rate >= RATE_GOAL)}"
        print(
            f"{t.engine:<10} {t.mode:<10} {t.entries:>8,} {t.lots:>7,} {t.runs:>4} {t.cpu:>8.3f}"
            f" {t.wall:>8.3f} {rate:>10,.0f}  {goal}"
        )
    if smallest == largest:
        return
    growth = largest / smallest
    print(f"\ntime ratio, {largest:,} vs {smallest:,} entries (and lots, ×{growth:g})")
    by_key = {(t.engine, t.mode, t.entries): t.cpu for t in timings}
    for engine in ENGINES:
        for mode in modes_of(engine):
            if (engine, mode, smallest) not in by_key or (engine, mode, largest) not in by_key:
                continue
            ratio = by_key[(engine, mode, largest)] / by_key[(engine, mode, smallest)]
            goal = f"≤ {RATIO_GOAL:g}× for 10×" if growth == 10 else "(goal is for 10×)"
            ok = f": {verdict(ratio <= RATIO_GOAL)}" if growth == 10 else ""
            if engine == FLOOR:
                goal, ok = "the machine's floor: reading the rows once, no engine", ""
            print(f"{engine:<10} {mode:<10} {ratio:>6.1f}×  {goal}{ok}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per mode")
    parser.add_argument("--reference-runs", type=int, default=1, help="--runs of the reference")
    parser.add_argument("--no-reference", action="store_true", help="time the sweep only")
    parser.add_argument("--shuffled", action="store_true", help="rows in a random order")
    options = parser.parse_args(argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    order = "shuffled" if options.shuffled else "in store order"
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; "
        f"one client, rows {order}; each engine and size in a fresh process\n"
    )
    engines = ENGINES[1:] if options.no_reference else ENGINES
    timings: list[Timing] = []
    for engine in engines:
        runs = options.reference_runs if engine == "reference" else options.runs
        for size in options.sizes:
            timings.extend(in_child(engine, size, runs, options.shuffled))
    report(timings, options.sizes)


if __name__ == "__main__":
    main()
