"""Running the real ``assist-sync`` command line from a test: in-process through the real error
boundary (``run_cli``: exit codes, one-line errors), or as a real subprocess."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs.cli import cli
from jobs.cli.context import run_cli
from sandbox import Sandbox
from tests.env_file import empty_env_file

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = ROOT / ".venv" / "bin" / "assist-sync"
ORDER_KEYS = [
    "orders_read",
    "lots_opened",
    "lots_changed",
    "lots_voided",
    "skipped",
    "quarantined",
    "requests",
    "seconds",
]


@dataclass(frozen=True)
class Outcome:
    """What one command printed and its exit code."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, object]:
        value = json.loads(self.stdout)
        assert isinstance(value, dict)
        return value

    def one_error_line(self) -> str:
        """The only line on stderr (asserted), with no traceback anywhere."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, self.stderr
        assert "Traceback" not in self.stderr and "Traceback" not in self.stdout
        return lines[0]


class Cli:
    """``cli(*args, **env)`` runs a command in-process with ``env`` (and no ``.env`` file);
    ``cli.subprocess(...)`` runs the installed executable instead."""

    def __init__(self, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.env = env
        self.env_file = empty_env_file(tmp_path)
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, **env: str) -> Outcome:
        argv = ["assist-sync", "--env-file", self.env_file, *args]
        self.monkeypatch.setattr(sys, "argv", argv)
        with CliRunner().isolation(env={**self.env, **env}) as (out, err, _):
            code = run_cli(cli)
        return Outcome(code, out.getvalue().decode(), err.getvalue().decode())

    def subprocess(self, *args: str, **env: str) -> Outcome:
        done = subprocess.run(
            [str(EXECUTABLE), "--env-file", self.env_file, *args],
            env={"PATH": "/usr/bin:/bin", **self.env, **env},
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        return Outcome(done.returncode, done.stdout, done.stderr)


def sandbox_env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    """The sandbox's ``.env`` lines, a ledger in ``tmp_path``, no retries, short reads."""
    env = dict(line.split("=", 1) for line in sandbox.env_lines())
    env.update(
        ASSIST_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        ASSIST_MAX_RETRIES="0",
        ASSIST_READ_TIMEOUT="5",
    )
    return env


def free_port() -> int:
    """A loopback port nothing listens on (a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
