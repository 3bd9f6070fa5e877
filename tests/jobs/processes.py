"""Helpers for the tests that run ``assist-sync run`` as real processes against the sandbox."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sandbox import Sandbox
from tests.env_file import empty_env_file


def assist_sync() -> list[str]:
    """The command that runs the installed ``assist-sync`` of this interpreter."""
    script = Path(sys.executable).with_name("assist-sync")
    if script.exists():
        return [str(script)]
    found = shutil.which("assist-sync")
    if found:
        return [found]
    return [sys.executable, "-c", "from jobs.cli import main; main()"]


def daemon_env(sandbox: Sandbox, database_url: str) -> dict[str, str]:
    """This environment without our settings, plus the sandbox's and short intervals."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSIST_", "WOO_", "WP_"))}
    env.pop("SMTP_URL", None)
    env.update(line.split("=", 1) for line in sandbox.env_lines())
    env.update(
        ASSIST_DATABASE_URL=database_url,
        ASSIST_ORDERS_INTERVAL="1",
        ASSIST_CLIENT_AREA_INTERVAL="1",
        ASSIST_ACCOUNTS_INTERVAL="1",
        ASSIST_SWEEP_INTERVAL="3600",
        ASSIST_RECONCILE_INTERVAL="3600",
        ASSIST_RUN_DEADLINE="60",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_for(
    predicate: Callable[[], object], seconds: float, what: str, logs: Sequence[Path]
) -> float:
    """Poll ``predicate`` until true; the seconds it took. Fails with the logs' tails."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.2)
    tails = "\n---\n".join(log.read_text()[-3000:] for log in logs if log.exists())
    raise AssertionError(f"{what}: not within {seconds} s\n{tails}")


def start_daemon(env: dict[str, str], folder: Path, log: Path) -> subprocess.Popen[bytes]:
    """``assist-sync run`` in ``folder`` with ``env`` and an empty ``.env``; output in ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [*assist_sync(), "--env-file", empty_env_file(folder), "run"],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_daemon(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then its exit code (killed, and the test failed, if it takes over a minute)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
