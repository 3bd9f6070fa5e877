"""Running the installed ``assist-sync`` executable against a real shop, as an admin would."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from tests.cli.harness import EXECUTABLE, Outcome


def env_of(lines: Iterable[str]) -> dict[str, str]:
    """``KEY=value`` lines as a mapping (the value may contain ``=``)."""
    return dict(line.split("=", 1) for line in lines)


def assist_sync(env: dict[str, str], *args: str, cwd: Path, timeout: float = 300) -> Outcome:
    """``assist-sync ARGS`` with exactly ``env`` (plus PATH) and an empty ``.env``, in ``cwd``."""
    env_file = cwd / "empty.env"
    env_file.touch()
    done = subprocess.run(
        [str(EXECUTABLE), "--env-file", str(env_file), *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)
