"""A real WordPress for tests: Debian's ``wordpress`` package, PHP's built-in server, MariaDB.

``start_site()`` brings a site up from nothing in about two seconds (a fresh database and user on
the MariaDB server, a config file ``/etc/wordpress/config-<name>.php``, a private
``WP_CONTENT_DIR`` with the theme and this repository's plugin symlinked, ``wp_install``, the
plugin activated, test users, ``php -S`` in its own process group); ``WordPressSite.stop()``
takes all of it down again. ``php -S`` takes its port first (retried on a clash) so parallel runs
never share one, and every start first sweeps the sites of runs that died without their teardown.
See ``/work/shared/WORDPRESS-IN-CI.md`` for the facts behind it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from tests.wordpress import mariadb

if TYPE_CHECKING:
    from tests.wordpress.staff import StaffDesk

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIR = REPO / "wordpress" / "assist-client-area"
PHP_DIR = Path(__file__).resolve().parent / "php"
CORE = Path("/usr/share/wordpress")
THEME = CORE / "wp-content" / "themes" / "twentytwentythree"
CONFIG_DIR = Path("/etc/wordpress")


class SiteError(RuntimeError):
    """The site could not be brought up (the message says which step and why)."""


def missing_requirements() -> str | None:
    """Why a site cannot start here, or None when everything it needs is installed."""
    if shutil.which("php") is None:
        return "php is not installed (apt-get install php-cli)"
    if not (CORE / "wp-load.php").is_file():
        return "Debian's wordpress package is not installed"
    if not THEME.is_dir():
        return "wordpress-theme-twentytwentythree is not installed"
    probe = subprocess.run(
        ["php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"], capture_output=True
    )
    if probe.returncode != 0:
        return "PHP's mysqli extension is missing (apt-get install php-mysql)"
    if not os.access(CONFIG_DIR, os.W_OK):
        return f"{CONFIG_DIR} is not writable (run as root)"
    return mariadb.unavailable_reason()


@dataclass(frozen=True)
class SiteUser:
    """A WordPress account of the test site."""

    login: str
    password: str
    email: str
    name: str
    id: int = 0
    app_password: str | None = None


@dataclass
class WordPressSite:
    """A running test site. ``url`` has no trailing slash."""

    url: str
    name: str
    workdir: Path
    admin: SiteUser
    daemon: SiteUser
    staff: SiteUser
    clients: list[SiteUser]
    outsider: SiteUser
    page_url: str
    _server: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _db: mariadb.DatabaseServer | None = field(default=None, repr=False)

    # ------------------------------------------------------------- addresses

    @property
    def api(self) -> str:
        """Base of the plugin's namespace, e.g. ``http://127.0.0.1:PORT/wp-json/assist/v1``."""
        return f"{self.url}/wp-json/assist/v1"

    @property
    def content_dir(self) -> Path:
        return self.workdir / "wp-content"

    @property
    def debug_log(self) -> Path:
        return self.workdir / "debug.log"

    def daemon_auth(self) -> tuple[str, str]:
        """HTTP Basic credentials of the daemon user (Application Password)."""
        assert self.daemon.app_password is not None
        return (self.daemon.login, self.daemon.app_password)

    def env_lines(self) -> list[str]:
        """``.env`` lines pointing the daemon at this site."""
        return [
            f"WP_URL={self.url}",
            f"WP_USERNAME={self.daemon.login}",
            f"WP_APP_PASSWORD={self.daemon.app_password}",
        ]

    # ---------------------------------------------------------------- browser

    def login(self, user: SiteUser) -> requests.Session:
        """A requests session logged in as ``user`` through wp-login.php (cookie auth)."""
        session = requests.Session()
        session.get(f"{self.url}/wp-login.php", timeout=30)  # sets wordpress_test_cookie
        response = session.post(
            f"{self.url}/wp-login.php",
            data={
                "log": user.login,
                "pwd": user.password,
                "wp-submit": "Se connecter",
                "redirect_to": f"{self.url}/wp-admin/",
                "testcookie": "1",
            },
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302 or not any(
            c.name.startswith("wordpress_logged_in_") for c in session.cookies
        ):
            raise SiteError(f"login as {user.login} failed: HTTP {response.status_code}")
        return session

    def rest_nonce(self, session: requests.Session) -> str:
        """The ``wp_rest`` nonce of the session's user (for ``X-WP-Nonce``)."""
        response = session.get(
            f"{self.url}/wp-admin/admin-ajax.php", params={"action": "rest-nonce"}, timeout=30
        )
        response.raise_for_status()
        return response.text.strip()

    def client_page(self, session: requests.Session | None = None) -> str:
        """HTML of the page holding ``[assist_mon_assistance]`` (anonymous without a session)."""
        getter = session.get if session is not None else requests.get
        response = getter(self.page_url, timeout=30)
        response.raise_for_status()
        return response.text

    def staff_desk(self, user: SiteUser | None = None) -> StaffDesk:
        """The wp-admin screens, driven as ``user`` (default: the staff user)."""
        from tests.wordpress.staff import StaffDesk

        return StaffDesk(self, self.login(user or self.staff))

    # -------------------------------------------------------------------- PHP

    def php(self, code: str, args: object = None) -> str:
        """Run PHP ``code`` (no ``<?php``) inside this WordPress; return what it printed.

        ``args`` (any JSON value) is available to the code as ``$args`` (decoded to arrays).
        """
        encoded = base64.b64encode(json.dumps(args).encode()).decode()
        with tempfile.NamedTemporaryFile(
            "w", suffix=".php", dir=self.workdir, delete=False
        ) as handle:
            handle.write(f"<?php\n$args = json_decode(base64_decode('{encoded}'), true);\n{code}\n")
            script = handle.name
        try:
            return _run_php(self, [str(PHP_DIR / "run.php"), script])
        finally:
            os.unlink(script)

    def php_json(self, code: str, args: object = None) -> Any:
        """Run PHP ``code`` that echoes ``wp_json_encode(...)`` last; return the decoded value."""
        return json.loads(self.php(code, args).strip().splitlines()[-1])

    # ---------------------------------------------------------- quick seeding

    def create_user(
        self,
        name: str,
        *,
        role: str = "subscriber",
        caps: tuple[str, ...] = (),
        app_password: bool = False,
    ) -> SiteUser:
        """A new account (unique login derived from ``name``), optionally with an app password."""
        login = f"{_slug(name)}-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(18)
        email = f"{login}@example.test"
        out = self.php_json(
            "assist_test_create_user($args);",
            {
                "login": login,
                "email": email,
                "password": password,
                "name": name,
                "role": role,
                "caps": list(caps),
                "app": app_password,
            },
        )
        return SiteUser(login, password, email, name, int(out["id"]), out["app"])

    def seed_ticket(
        self, client_id: int, title: str, *, status: str = "open", estimate: int | None = None
    ) -> int:
        """Create a ticket directly through the plugin's store (no HTTP)."""
        return int(
            self.php_json(
                "assist_test_seed_ticket($args);",
                {
                    "client_id": client_id,
                    "title": title,
                    "status": status,
                    "estimate_minutes": estimate,
                },
            )
        )

    def seed_entries(self, ticket_id: int, entries: list[tuple[str, int, str]]) -> list[int]:
        """Create entries ``(kind, minutes, performed_at_gmt)`` directly; return their ids."""
        return [
            int(i)
            for i in self.php_json(
                "assist_test_seed_entries($args);",
                {"ticket": ticket_id, "entries": [list(e) for e in entries]},
            )
        ]

    def plugin_log_lines(self) -> list[str]:
        """PHP notices, warnings and errors logged from the plugin's own files."""
        if not self.debug_log.exists():
            return []
        marker = str(PLUGIN_DIR)
        text = self.debug_log.read_text(errors="replace")
        return [line for line in text.splitlines() if marker in line or "assist-client" in line]

    # ------------------------------------------------------------------ down

    def stop(self) -> None:
        """Stop the server (whole process group), drop the database, remove every file."""
        try:
            if self._server is not None:
                _kill_group(self._server)
                self._server = None
        finally:
            try:
                if self._db is not None and self._db.private:
                    self._db.stop()  # its data directory goes with the work directory
                elif self._db is not None:
                    _run_dbadmin(self._db, "drop", self.name.replace("-", "_"))
            finally:
                (CONFIG_DIR / f"config-{self.name}.php").unlink(missing_ok=True)
                shutil.rmtree(self.workdir, ignore_errors=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "user"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _php_env(site_name: str, host: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"ASSIST_WP_CONFIG": site_name, "ASSIST_WP_HOST": host})
    env.update(extra or {})
    return env


def _run_php(site: WordPressSite, args: list[str], extra_env: dict[str, str] | None = None) -> str:
    host = site.url.removeprefix("http://")
    done = subprocess.run(
        ["php", "-d", "sendmail_path=/bin/true", "-d", "display_errors=stderr", *args],
        env=_php_env(site.name, host, extra_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SiteError(
            f"php {Path(args[-1]).name} failed ({done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[-2000:]}"
        )
    return done.stdout


def _run_dbadmin(
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


def _kill_group(process: subprocess.Popen[bytes]) -> None:
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


def _config_php(
    db: str, db_password: str, url: str, workdir: Path, server: mariadb.DatabaseServer
) -> str:
    salts = "".join(
        f"define('{key}', '{secrets.token_hex(32)}');\n"
        for key in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    return (
        "<?php\n"
        "// Written by tests/wordpress/site.py for one test run; removed at teardown.\n"
        f"// owner pid: {os.getpid()}\n"
        f"define('DB_NAME', '{db}');\n"
        f"define('DB_USER', '{db}');\n"
        f"define('DB_PASSWORD', '{db_password}');\n"
        f"define('DB_HOST', '{server.host}:{server.port}');\n"
        "define('DB_CHARSET', 'utf8mb4');\n"
        f"define('WP_HOME', '{url}');\n"
        f"define('WP_SITEURL', '{url}');\n"
        f"define('WP_CONTENT_DIR', '{workdir / 'wp-content'}');\n"
        f"define('WP_CONTENT_URL', '{url}/wp-content');\n"
        "define('WP_ENVIRONMENT_TYPE', 'local');\n"
        "define('WP_DEBUG', true);\n"
        "define('WP_DEBUG_DISPLAY', false);\n"
        f"define('WP_DEBUG_LOG', '{workdir / 'debug.log'}');\n"
        "define('DISABLE_WP_CRON', true);\n"
        "define('AUTOMATIC_UPDATER_DISABLED', true);\n"
        "define('WP_HTTP_BLOCK_EXTERNAL', true);\n"
        "define('FS_METHOD', 'direct');\n"
        f"{salts}"
        "$table_prefix = 'wp_';\n"
    )


def _users() -> dict[str, dict[str, object]]:
    def spec(
        login: str, name: str, role: str, caps: list[str], app_password: bool = False
    ) -> dict[str, object]:
        return {
            "login": login,
            "email": f"{login}@example.test",
            "name": name,
            "password": secrets.token_urlsafe(18),
            "role": role,
            "caps": caps,
            "app_password": app_password,
        }

    return {
        "daemon": spec("assist-daemon", "Démon assist-sync", "subscriber", ["assist_sync"], True),
        "staff": spec("agence-support", "Support Agence", "assist_staff", []),
        "client1": spec("client-alice", "Alice Martin", "subscriber", []),
        "client2": spec("client-bruno", "Bruno Petit", "subscriber", []),
        "outsider": spec("visiteur", "Visiteur Curieux", "subscriber", [], True),
    }


def start_site() -> WordPressSite:
    """Bring a fresh site up. Raises SiteError (after cleaning up) when a step fails."""
    reason = missing_requirements()
    if reason:
        raise SiteError(reason)
    sweep_abandoned_sites()
    token = secrets.token_hex(6)
    name = f"assist-wp-{token}"
    db = f"assist_wp_{token}"
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    url = ""  # known once the server holds its port
    admin_password = secrets.token_urlsafe(18)
    db_password = secrets.token_hex(16)
    specs = _users()
    site = WordPressSite(
        url=url,
        name=name,
        workdir=workdir,
        admin=SiteUser("admin", admin_password, "admin@agence.test", "admin"),
        daemon=SiteUser("", "", "", ""),
        staff=SiteUser("", "", "", ""),
        clients=[],
        outsider=SiteUser("", "", "", ""),
        page_url="",
    )
    try:
        content = workdir / "wp-content"
        (content / "themes").mkdir(parents=True)
        (content / "plugins").mkdir()
        (content / "uploads").mkdir()
        (content / "themes" / "twentytwentythree").symlink_to(THEME)
        (content / "plugins" / "assist-client-area").symlink_to(PLUGIN_DIR)
        try:
            site._db = mariadb.open_server(workdir, _free_port())
        except RuntimeError as exc:
            raise SiteError(str(exc)) from exc
        if site._db.pid is not None:
            (workdir / "mariadb.pgid").write_text(str(site._db.pid))
        _run_dbadmin(site._db, "create", db, db_password)
        # The server takes its port before the long install: a parallel run picking a free
        # port meanwhile cannot be handed the same one.
        site._server, port = _launch_server(site)
        site.url = url = f"http://127.0.0.1:{port}"
        (CONFIG_DIR / f"config-{name}.php").write_text(
            _config_php(db, db_password, url, workdir, site._db)
        )
        install = workdir / "install.php"
        shutil.copy(PHP_DIR / "install.php", install)
        _run_php(
            site,
            [str(PHP_DIR / "run.php"), str(install), "--install"],
            {"ASSIST_WP_ADMIN_PASSWORD": admin_password},
        )
        out = json.loads(
            _run_php(
                site,
                [str(PHP_DIR / "run.php"), str(PHP_DIR / "setup.php")],
                {"ASSIST_WP_SETUP": json.dumps({"users": list(specs.values())})},
            )
            .strip()
            .splitlines()[-1]
        )
        made = {
            key: SiteUser(
                login=str(s["login"]),
                password=str(s["password"]),
                email=str(s["email"]),
                name=str(s["name"]),
                id=int(out["users"][s["login"]]["id"]),
                app_password=out["users"][s["login"]].get("app_password"),
            )
            for key, s in specs.items()
        }
        site.daemon = made["daemon"]
        site.staff = made["staff"]
        site.clients = [made["client1"], made["client2"]]
        site.outsider = made["outsider"]
        site.page_url = str(out["page_url"])
        site.admin = SiteUser("admin", admin_password, "admin@agence.test", "admin", id=1)
        _wait_until_ready(site, site._server)
        return site
    except BaseException:
        site.stop()
        raise


def _launch_server(site: WordPressSite) -> tuple[subprocess.Popen[bytes], int]:
    """``php -S`` on a free port, in its own process group; retried when the port was taken."""
    for _attempt in range(5):
        port = _free_port()
        log_path = site.workdir / "server.log"
        log = open(log_path, "wb")  # noqa: SIM115 - owned by the server process
        env = _php_env(
            site.name,
            f"127.0.0.1:{port}",
            {"ASSIST_WP_CONTENT_DIR": str(site.content_dir), "PHP_CLI_SERVER_WORKERS": "4"},
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
        (site.workdir / "server.pgid").write_text(str(server.pid))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            said = log_path.read_bytes()
            if b"started" in said:
                return server, port
            if server.poll() is not None or b"Failed to listen" in said:
                break
            time.sleep(0.02)
        _kill_group(server)
        if b"in use" not in log_path.read_bytes():
            raise SiteError(f"php -S did not start; see {log_path}")
    raise SiteError("php -S found no free port in 5 attempts")


def _wait_until_ready(site: WordPressSite, server: subprocess.Popen[bytes] | None) -> None:
    """Until the installed site answers ``/wp-json/`` with the plugin's namespace (30 s)."""
    assert server is not None
    deadline = time.monotonic() + 30
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SiteError(f"php -S exited ({server.returncode}); see {site.workdir}/server.log")
        try:
            response = requests.get(f"{site.url}/wp-json/", timeout=5)
            if response.ok and "assist/v1" in response.json().get("namespaces", []):
                return
            last = f"HTTP {response.status_code}"
        except (requests.RequestException, ValueError) as exc:
            last = type(exc).__name__
        time.sleep(0.1)
    raise SiteError(f"WordPress did not answer /wp-json/ within 30 s ({last})")


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
                _run_dbadmin(server, "drop", name.replace("-", "_"))
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
