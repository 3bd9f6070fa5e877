"""A real WordPress 6.5.3 + WooCommerce 8.9.1 shop for tests, from ``tests/realshop/kit``.

``start_instance(tls=...)`` runs the kit's ``up`` in a fresh temporary folder and returns an
``Instance``: its URLs and REST keys (the ``KEY=value`` lines ``up`` prints), PHP run inside the
site, the mail it sent. ``Instance.stop()`` runs ``down --purge``. A plain instance speaks http
(WooCommerce then takes consumer keys by OAuth 1.0a only); a TLS one sits behind an nginx of its
own with a CA made for it (Basic auth, as in production). See ``kit/README.md``.

Every instance folder records the pid of the process that started it, so a run that died
without its teardown is swept (server stopped, database dropped, files removed) by the next one.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KIT = Path(__file__).resolve().parent / "kit"
PREFIX = "assist-shop-"
DB_HOST = os.environ.get("REALSHOP_DB_HOST", "127.0.0.1")
DB_PORT = int(os.environ.get("REALSHOP_DB_PORT", "3306"))


class ShopError(RuntimeError):
    """The shop could not be brought up or a command inside it failed (the message says why)."""


def missing_requirements() -> str | None:
    """Why no shop can start here, or None. ``up`` installs PHP (and nginx) itself as root."""
    if os.geteuid() != 0 and shutil.which("php") is None:
        return "php is not installed and installing it needs root (apt-get install php-cli ...)"
    if shutil.which("xz") is None and shutil.which("tar") is None:
        return "tar/xz are not installed"
    try:
        with socket.create_connection((DB_HOST, DB_PORT), timeout=2.0):
            pass
    except OSError:
        return f"no MariaDB server answers at {DB_HOST}:{DB_PORT}"
    return None


@dataclass
class Instance:
    """A running shop. ``env`` holds the lines ``up`` printed (``WOO_URL``, ``WP_ADMIN_USER``…)."""

    env: dict[str, str]
    home: Path  # the instance's own temporary folder: ``owner`` and ``site/``
    tls: bool
    startup_seconds: float

    @property
    def dir(self) -> Path:
        """The site's document root (``REALSHOP_DIR``)."""
        return self.home / "site"

    @property
    def url(self) -> str:
        return self.env["REALSHOP_URL"]

    @property
    def ca(self) -> str | None:
        """The CA file to trust (TLS instances), else None."""
        return self.env.get("REALSHOP_CA")

    @property
    def verify(self) -> str | bool:
        """What ``requests`` takes as ``verify=`` for this shop."""
        return self.ca or True

    def product_id(self, sku: str) -> int:
        """The product id of a pack SKU, e.g. ``ASSIST-3H``."""
        return int(self.env[f"REALSHOP_PRODUCT_ID_{sku.replace('-', '_')}"])

    # -------------------------------------------------------------------- PHP

    def php(self, code: str, args: object = None, *, user: str | int | None = None) -> str:
        """Run PHP ``code`` (no ``<?php``) inside the site; return what it printed on stdout.

        ``args`` (any JSON value) is ``$args`` in the code, decoded to arrays; ``user`` (login or
        id) is the current user. Raises ShopError with PHP's stderr on a non-zero exit.
        """
        encoded = base64.b64encode(json.dumps(args).encode()).decode()
        with tempfile.NamedTemporaryFile("w", suffix=".php", dir=self.home, delete=False) as f:
            f.write(f"<?php\n$args = json_decode(base64_decode('{encoded}'), true);\n{code}\n")
            script = f.name
        command = ["php", str(self.dir / "wp-eval.php")]
        if user is not None:
            command.append(f"--user={user}")
        try:
            done = subprocess.run(
                [*command, "-f", script], capture_output=True, text=True, timeout=180
            )
        finally:
            os.unlink(script)
        if done.returncode != 0:
            raise ShopError(
                f"PHP in the shop failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-3000:]}"
            )
        return done.stdout

    def php_json(self, code: str, args: object = None, *, user: str | int | None = None) -> Any:
        """Run PHP ``code`` that echoes ``wp_json_encode(...)`` last; return the decoded value."""
        out = self.php(code, args, user=user).strip().splitlines()
        if not out:
            raise ShopError("PHP in the shop printed nothing")
        return json.loads(out[-1])

    # ------------------------------------------------------------------ logs

    def mails(self) -> list[dict[str, Any]]:
        """Every ``wp_mail()`` of the site so far (the kit's mail sink), oldest first."""
        log = self.dir / "mail.log"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    def debug_lines(self) -> list[str]:
        """PHP notices, warnings and errors the site logged so far (``debug.log``)."""
        log = self.dir / "debug.log"
        return log.read_text(errors="replace").splitlines() if log.exists() else []

    # ------------------------------------------------------------------ down

    def stop(self) -> None:
        """Stop the servers, drop the database, remove every file. Safe to call twice."""
        _down(self.home)


def start_instance(*, tls: bool = False, workers: int = 4) -> Instance:
    """Bring a fresh shop up (about 5–20 s). Raises ShopError after cleaning up on failure."""
    reason = missing_requirements()
    if reason:
        raise ShopError(reason)
    sweep_abandoned_instances()
    home = Path(tempfile.mkdtemp(prefix=PREFIX))
    (home / "owner").write_text(str(os.getpid()))
    command = [str(KIT / "up"), str(home / "site"), "--workers", str(workers)]
    if tls:
        command.append("--tls")
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired as exc:
        _down(home)
        raise ShopError("realshop up did not finish within 15 minutes") from exc
    if done.returncode != 0:
        _down(home)
        raise ShopError("realshop up failed: " + done.stderr.strip()[-3000:])
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return Instance(env, home, tls, time.monotonic() - started)


def sweep_abandoned_instances() -> list[Path]:
    """Take down the shops of runs that died without their teardown; live runs are left alone.

    Returns the folders swept.
    """
    swept: list[Path] = []
    for home in sorted(Path(tempfile.gettempdir()).glob(f"{PREFIX}*")):
        try:
            owner = int((home / "owner").read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        _down(home)
        swept.append(home)
    return swept


def _down(home: Path) -> None:
    site = home / "site"
    if (site / ".realshop").is_dir():
        subprocess.run(
            [str(KIT / "down"), str(site), "--purge"], capture_output=True, text=True, timeout=120
        )
    shutil.rmtree(home, ignore_errors=True)


def _alive(pid: int) -> bool:
    with contextlib.suppress(PermissionError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
    return True
