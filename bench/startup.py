"""Benchmark: start-up and memory of a no-change ``assist-sync sync orders`` process.

    python bench/startup.py [--runs 9] [--clients 200] [--orders 1000] [--no-postgres]
                            [--before SOURCE_TREE]

One seeded sandbox shop (no client area) serves every process. For each ledger — a SQLite file
and a fresh schema on the tests' PostgreSQL server (``ASSIST_TEST_POSTGRES_URL``, default
127.0.0.1:5432, database ``test``) — one full sync fills it, then each process below runs ``--runs``
times (the processes taking turns, after one untimed run each), each time a fresh process
started by a small launcher:

* ``python``: ``python -c pass``, the interpreter's own start-up (its ``site`` imports);
* ``bare request``: ``python -c "import requests; requests.get(URL)"`` — one GET of the shop's
  ``/wp-json/`` index, the least a process that talks to the shop does;
* ``sync orders``: ``assist-sync sync orders``, nothing changed in the shop since the last run
  (one request, nothing written to the ledger but the run's record);
* ``--help``: ``assist-sync --help``, which must stay fast;
* ``sync (before)``, with ``--before DIR``: the same ``sync orders`` from the source tree in
  ``DIR`` (first on ``PYTHONPATH``), e.g. ``git archive main config jobs ledger sandbox sync
  wp_client | tar -x -C DIR``, taking turns with the others: a before/after on one machine.

Measured, with the goal beside each figure:

* **wall s** — the median (and the fastest) of ``time.perf_counter()`` around the child, from
  its spawn to its exit, in the launcher. Goal: ``sync orders`` ≤ ``bare request`` + 0.3 s.
* **imports s** — the child run again under ``python -X importtime``: the sum of the cumulative
  times of the top-level imports it reports (every import of the process, interpreter start-up
  included), median of the runs; **own imports s** is that minus the ``python`` row's, what
  the command itself imports. Goal: ≤ 0.3 s of own imports for ``sync orders``.
* **peak RSS MB** — the child's peak resident set (its ``VmHWM``), median of the runs, read by
  the launcher with ``os.wait4`` (``ru_maxrss``). Linux carries a parent's peak over fork and
  exec into the child's ``ru_maxrss``, which is why the children are not started by this
  script (it holds the shop) but by a launcher of a few MB; the bare process also prints its
  own ``VmHWM`` from ``/proc/self/status``, and the two are checked to agree. Goal: ≤ 60 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ASSIST_SYNC = str(Path(PYTHON).parent / "assist-sync")
WALL_GOAL = 0.3  # seconds over the bare request
IMPORT_GOAL = 0.3  # seconds of imports on the path of a sync
RSS_GOAL = 60.0  # MB, no-change run

# Starts argv[2:] with posix_spawn, its output to /dev/null and its stderr to argv[1]; prints
# the wall time from spawn to exit, the child's peak RSS (wait4) and its exit code.
LAUNCHER = """
import json, os, sys, time
with open(os.devnull, "wb") as out, open(sys.argv[1], "wb") as err:
    actions = [(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
    started = time.perf_counter()
    pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
print(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss,
                  "exit": os.waitstatus_to_exitcode(status)}))
"""
# One GET, then the process's own peak RSS on stderr (to check the launcher's figure).
BARE = """
import sys, requests
requests.get(sys.argv[1], timeout=30).raise_for_status()
with open("/proc/self/status") as status:
    print(next(line for line in status if line.startswith("VmHWM")), file=sys.stderr)
"""
# The command line as the ``assist-sync`` executable runs it (for --before's source tree).
CLI = "import sys; from jobs.cli import main; sys.argv[0] = 'assist-sync'; main()"
BEFORE = "sync (before)"
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \|( +)(\S+)")


@dataclass(frozen=True)
class Run:
    wall: float
    rss_mb: float
    stderr: str


@dataclass(frozen=True)
class Figures:
    process: str
    ledger: str
    walls: list[float]
    imports: list[float]
    rss: list[float]


def launch(argv: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run ``argv`` as a fresh process under the launcher; fail loudly on a non-zero exit."""
    with tempfile.NamedTemporaryFile(suffix=".stderr") as err:
        done = subprocess.run(
            [PYTHON, "-c", LAUNCHER, err.name, *argv],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        stderr = Path(err.name).read_text(encoding="utf-8", errors="replace")
    result = json.loads(done.stdout)
    if result["exit"] != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result['exit']}: {stderr.strip()[-500:]}")
    return Run(result["wall"], result["rss_kb"] / 1024, stderr)


def import_seconds(stderr: str) -> float:
    """Sum of the cumulative times of the top-level imports in ``-X importtime`` output."""
    total = 0
    for line in stderr.splitlines():
        found = IMPORT_LINE.match(line)
        if found and len(found.group(2)) == 1:  # one space: a top-level import
            total += int(found.group(1))
    return total / 1e6


def measure(
    ledger: str, processes: dict[str, tuple[list[str], dict[str, str]]], cwd: Path, runs: int
) -> list[Figures]:
    """Each process (its argv and environment) ``runs`` times, the processes taking turns (a
    change in the machine's load then weighs on all of them alike), each run timed, then run
    again under ``-X importtime``."""
    figures = {name: Figures(name, ledger, [], [], []) for name in processes}
    for argv, env in processes.values():
        launch(argv, env, cwd)  # warm: compiled bytecode, file cache
    for _ in range(runs):
        for name, (argv, env) in processes.items():
            run = launch(argv, env, cwd)
            figures[name].walls.append(run.wall)
            figures[name].rss.append(run.rss_mb)
            if name == "bare request":
                own = int(run.stderr.split()[1]) / 1024  # "VmHWM:  12345 kB"
                if abs(own - run.rss_mb) > 1:
                    print(f"warning: wait4 says {run.rss_mb:.1f} MB, VmHWM {own:.1f} MB")
            traced = launch([PYTHON, "-X", "importtime", *argv[1:]], env, cwd)  # argv[0]: PYTHON
            figures[name].imports.append(import_seconds(traced.stderr))
    return list(figures.values())


def child_env(shop_lines: list[str], database_url: str) -> dict[str, str]:
    """This environment without any assist-sync setting, plus the shop and the ledger."""
    prefixes = ("ASSIST_", "WOO_", "WP_", "SMTP_", "MAIL_", "ADMIN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    for line in shop_lines:
        name, value = line.split("=", 1)
        env[name] = value
    env["ASSIST_DATABASE_URL"] = database_url
    return env


def bench_ledger(
    ledger: str,
    url: str,
    shop_url: str,
    shop_lines: list[str],
    folder: Path,
    runs: int,
    before: Path | None,
) -> list[Figures]:
    env = child_env(shop_lines, url)
    launch([PYTHON, ASSIST_SYNC, "sync", "orders", "--full"], env, folder)  # fill the ledger
    processes = {
        "python": ([PYTHON, "-c", "pass"], env),
        "bare request": ([PYTHON, "-c", BARE, f"{shop_url}/wp-json/"], env),
        "sync orders": ([PYTHON, ASSIST_SYNC, "sync", "orders"], env),
        "--help": ([PYTHON, ASSIST_SYNC, "--help"], env),
    }
    if before is not None:  # the same command from another source tree, found first
        processes[BEFORE] = (
            [PYTHON, "-c", CLI, "sync", "orders"],
            {**env, "PYTHONPATH": str(before)},
        )
    return measure(ledger, processes, folder, runs)


def report(figures: list[Figures]) -> None:
    print(
        f"{'process':<14} {'ledger':<11} {'wall s':>7} {'fastest':>8} {'imports s':>10}"
        f" {'own imports s':>14} {'peak RSS MB':>12}  goals"
    )
    medians = {(f.process, f.ledger): f for f in figures}

    def median_of(process: str, ledger: str, attribute: str) -> float:
        values: list[float] = getattr(medians[(process, ledger)], attribute)
        return statistics.median(values)

    for f in figures:
        wall, imports, rss = (statistics.median(x) for x in (f.walls, f.imports, f.rss))
        own = imports - median_of("python", f.ledger, "imports")
        goals = ""
        if f.process in ("sync orders", BEFORE):
            over = wall - median_of("bare request", f.ledger, "walls")
            goals = (
                f"wall ≤ bare + {WALL_GOAL} s: +{over:.2f} s {verdict(over <= WALL_GOAL)}; "
                f"own imports ≤ {IMPORT_GOAL} s: {verdict(own <= IMPORT_GOAL)}; "
                f"RSS ≤ {RSS_GOAL:.0f} MB: {verdict(rss <= RSS_GOAL)}"
            )
        print(
            f"{f.process:<14} {f.ledger:<11} {wall:>7.3f} {min(f.walls):>8.3f} {imports:>10.3f}"
            f" {own:>14.3f} {rss:>12.1f}  {goals}"
        )


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--before", type=Path, help="a source tree of another version whose sync runs beside"
    )
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from sandbox import Sandbox
    from tests.services import postgres_schema

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; "
        f"sandbox shop: {options.clients} clients, {options.orders} orders; "
        f"{options.runs} runs of each process\n"
    )
    figures: list[Figures] = []
    with (
        tempfile.TemporaryDirectory() as temp,
        Sandbox(
            seed=1, clients=options.clients, orders=options.orders, with_client_area=False
        ) as shop,
    ):
        folder = Path(temp)
        lines = shop.env_lines()
        sqlite = f"sqlite:///{folder / 'ledger.sqlite3'}"
        before = options.before.resolve() if options.before else None
        figures += bench_ledger("SQLite", sqlite, shop.url, lines, folder, options.runs, before)
        if not options.no_postgres:
            # the tests' server (ASSIST_TEST_POSTGRES_URL, default 127.0.0.1:5432, db test)
            with postgres_schema() as url:
                figures += bench_ledger(
                    "PostgreSQL", url, shop.url, lines, folder, options.runs, before
                )
    report(figures)


if __name__ == "__main__":
    main()
