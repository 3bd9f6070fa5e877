"""The MariaDB server a test site uses: the machine's (127.0.0.1:3306, root without password)
when it answers, else a private ``mariadbd`` started in the site's work directory.

``ASSIST_TEST_MARIADB_PRIVATE=1`` forces the private server (full isolation).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SHARED_HOST = os.environ.get("ASSIST_TEST_MARIADB_HOST", "127.0.0.1")
SHARED_PORT = int(os.environ.get("ASSIST_TEST_MARIADB_PORT", "3306"))
MARIADBD = "/usr/sbin/mariadbd"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _private_forced() -> bool:
    return os.environ.get("ASSIST_TEST_MARIADB_PRIVATE", "") == "1"


def can_run_private() -> bool:
    return os.access(MARIADBD, os.X_OK) and shutil.which("mariadb-install-db") is not None


def unavailable_reason() -> str | None:
    """Why no database server can be had, or None."""
    if not _private_forced() and _answers(SHARED_HOST, SHARED_PORT):
        return None
    if can_run_private():
        return None
    return (
        f"no MariaDB server at {SHARED_HOST}:{SHARED_PORT} and no mariadbd to start "
        "(apt-get install mariadb-server-core)"
    )


@dataclass
class DatabaseServer:
    """Where the site's database lives; ``private`` servers are stopped with the site."""

    host: str
    port: int
    private: bool = False
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int | None:
        """The private server's process (and group) id; None for the shared server."""
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=5)
        self._process = None


def open_server(workdir: Path, port: int) -> DatabaseServer:
    """The shared server when it answers (and is not overridden), else a private one on ``port``."""
    if not _private_forced() and _answers(SHARED_HOST, SHARED_PORT):
        return DatabaseServer(SHARED_HOST, SHARED_PORT)
    datadir = workdir / "mariadb"
    init = subprocess.run(
        [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--force",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if init.returncode != 0:
        raise RuntimeError(f"mariadb-install-db failed: {init.stderr.strip()[-500:]}")
    log = open(workdir / "mariadb.log", "wb")  # noqa: SIM115 - owned by the server process
    process = subprocess.Popen(
        [
            MARIADBD,
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--bind-address=127.0.0.1",
            f"--port={port}",
            f"--socket={datadir}/mariadb.sock",
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=16M",
            "--performance-schema=OFF",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    server = DatabaseServer("127.0.0.1", port, private=True, _process=process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server._process = None
            raise RuntimeError(f"mariadbd exited ({process.returncode}); see {workdir}/mariadb.log")
        if _answers("127.0.0.1", port):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("private mariadbd did not answer within 30 s")
