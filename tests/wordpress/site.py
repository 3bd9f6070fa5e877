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
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from tests.wordpress import mariadb
from tests.wordpress.processes import (
    CONFIG_DIR,
    CORE,
    PHP_DIR,
    SiteError,
    free_port,
    kill_group,
    launch_server,
    php_env,
    run_dbadmin,
    sweep_abandoned_sites,
)

if TYPE_CHECKING:
    from tests.wordpress.staff import StaffDesk

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIR = REPO / "wordpress" / "assist-client-area"
THEME = CORE / "wp-content" / "themes" / "twentytwentythree"


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
                kill_group(self._server)
                self._server = None
        finally:
            try:
                if self._db is not None and self._db.private:
                    self._db.stop()  # its data directory goes with the work directory
                elif self._db is not None:
                    run_dbadmin(self._db, "drop", self.name.replace("-", "_"))
            finally:
                (CONFIG_DIR / f"config-{self.name}.php").unlink(missing_ok=True)
                shutil.rmtree(self.workdir, ignore_errors=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "user"


def _run_php(site: WordPressSite, args: list[str], extra_env: dict[str, str] | None = None) -> str:
    host = site.url.removeprefix("http://")
    done = subprocess.run(
        ["php", "-d", "sendmail_path=/bin/true", "-d", "display_errors=stderr", *args],
        env=php_env(site.name, host, extra_env),
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
            site._db = mariadb.open_server(workdir, free_port())
        except RuntimeError as exc:
            raise SiteError(str(exc)) from exc
        if site._db.pid is not None:
            (workdir / "mariadb.pgid").write_text(str(site._db.pid))
        run_dbadmin(site._db, "create", db, db_password)
        # The server takes its port before the long install: a parallel run picking a free
        # port meanwhile cannot be handed the same one.
        site._server, port = launch_server(name, workdir)
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


__all__ = [
    "CONFIG_DIR",
    "SiteError",
    "SiteUser",
    "WordPressSite",
    "start_site",
    "sweep_abandoned_sites",
]
