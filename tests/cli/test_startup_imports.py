"""What a no-change ``assist-sync sync orders`` process imports, and what it no longer does.

Start-up time and memory are measured by ``bench/startup.py``; this only pins the imports that
were removed from the path of a sync, so that they do not creep back: the migration machinery
(Alembic, and Mako and Pygments under it) on an up-to-date ledger, and the dialect of the
database not in use.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sandbox import Sandbox
from tests.cli.harness import EXECUTABLE, sandbox_env

# Runs the command line as the executable does, then lists what it imported of interest.
PROBE = """
import atexit, sys

def loaded():
    names = set(sys.modules)
    heavy = {"alembic", "mako", "pygments"} & {name.split(".")[0] for name in names}
    dialects = {n for n in names if n.startswith("sqlalchemy.dialects.") and n.count(".") == 2}
    dialects = {n for n in dialects if not n.rsplit(".", 1)[1].startswith("_")}
    print("loaded:", ",".join(sorted(heavy | dialects)), file=sys.stderr)

atexit.register(loaded)
sys.argv = ["assist-sync", *sys.argv[1:]]
from jobs.cli import main
main()
"""


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_a_no_change_sync_imports_no_migration_machinery_nor_the_other_dialect(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    env = sandbox_env(sandbox, tmp_path)
    run([str(EXECUTABLE), "sync", "orders"], env, tmp_path)  # creates and fills the ledger
    done = run([sys.executable, "-c", PROBE, "sync", "orders"], env, tmp_path)
    assert "requests made" in done.stdout
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("loaded:")]
    assert line == "loaded: sqlalchemy.dialects.sqlite"
