"""The processes behind a test site: ``php -S``, the per-run database and user, and the sweep
of sites whose run died without its teardown. ``tests.wordpress.site`` builds sites from these.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.wordpress import mariadb

PHP_DIR = Path(__file__).resolve().parent / "php"
CORE = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")


class SiteError(RuntimeError):
    """The site could not be brought up (the message says which step and why)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def php_env(site_name: str, host: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"ASSIST_WP_CONFIG": site_name, "ASSIST_WP_HOST": host})
    env.update(extra or {})
    return env


def run_dbadmin(
    server: mariadb.DatabaseServer, verb: str, db_name: str, password: str = ""
) -> None:
    done = subprocess.run(
        [
            "php",
            str(PHP_DIR / "dbadmin.php"),
            verb,
            server.host,
            str(server.port),
            db_name,
            password,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise SiteError(f"database {verb} failed: {done.stderr.strip()}")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the server's whole process group (its workers too): SIGTERM, SIGKILL after 1 s.

    php -S holds no state worth a graceful exit; what matters is that no worker survives
    still listening on the port.
    """

    def group_alive() -> bool:
        # Zombies (exited workers not yet reaped by init) still count for killpg(0): look in /proc.
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z" and int(fields[2]) == process.pid:
                    return True
        return False

    for sig, grace in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()  # reap the leader so the group can disappear
            if not group_alive():
                process.wait(timeout=5)
                return
            time.sleep(0.05)
    process.wait(timeout=5)


def launch_server(name: str, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``php -S`` for site ``name`` on a free port, in its own process group; retried when the
    port was taken (a parallel run got it first). Returns the server and its port."""
    for _attempt in range(5):
        port = free_port()
        log_path = workdir / "server.log"
        log = open(log_path, "wb")  # noqa: SIM115 - owned by the server process
        env = php_env(
            name,
            f"127.0.0.1:{port}",
            {"ASSIST_WP_CONTENT_DIR": str(workdir / "wp-content"), "PHP_CLI_SERVER_WORKERS": "4"},
        )
        server = subprocess.Popen(
            [
                "php",
                "-d",
                "sendmail_path=/bin/true",
                "-d",
                "display_errors=0",
                "-S",
                f"127.0.0.1:{port}",
                "-t",
                str(CORE),
                str(PHP_DIR / "router.php"),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # setsid: the workers share the group we kill at teardown
        )
        log.close()
        (workdir / "server.pgid").write_text(str(server.pid))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            said = log_path.read_bytes()
            if b"started" in said:
                return server, port
            if server.poll() is not None or b"Failed to listen" in said:
                break
            time.sleep(0.02)
        kill_group(server)
        if b"in use" not in log_path.read_bytes():
            raise SiteError(f"php -S did not start; see {log_path}")
    raise SiteError("php -S found no free port in 5 attempts")


def sweep_abandoned_sites() -> list[str]:
    """Take down the sites of test runs that died without their teardown (SIGKILL, power cut).

    A site is abandoned when the process that wrote its config file is gone: its server group is
    killed, its database and user dropped, its files removed. Sites of live runs are left alone.
    Returns the names swept.
    """
    swept: list[str] = []
    for config in sorted(CONFIG_DIR.glob("config-assist-wp-*.php")):
        text = config.read_text(errors="replace")
        owner = re.search(r"^// owner pid: (\d+)$", text, re.M)
        content = re.search(r"define\('WP_CONTENT_DIR', '([^']+)'\)", text)
        if owner is None or content is None or _alive(int(owner.group(1))):
            continue
        workdir = Path(content.group(1)).parent
        for group in ("server.pgid", "mariadb.pgid"):
            with contextlib.suppress(OSError, ValueError):
                os.killpg(int((workdir / group).read_text()), signal.SIGKILL)
        name = config.name.removeprefix("config-").removesuffix(".php")
        host = re.search(r"define\('DB_HOST', '([^:']+):(\d+)'\)", text)
        private = (workdir / "mariadb.pgid").exists()  # its data goes with the work directory
        if host is not None and not private and mariadb.unavailable_reason() is None:
            with contextlib.suppress(SiteError):
                server = mariadb.DatabaseServer(host.group(1), int(host.group(2)))
                run_dbadmin(server, "drop", name.replace("-", "_"))
        shutil.rmtree(workdir, ignore_errors=True)
        config.unlink(missing_ok=True)
        swept.append(name)
    return swept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
