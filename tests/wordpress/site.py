"""A real shop for the plugin's tests: the kit's WordPress 6.5.3 + WooCommerce 8.9.1
(``tests/realshop``) with this repository's plugin installed, its users and a page.

``start_site()`` brings an instance up (``tests.realshop.instance``), copies the plugin into it and
activates it like an administrator would, creates the test users (a daemon user holding
``assist_sync``, staff holding only the "Agence – support" role, WooCommerce customers) and a page
with the shortcode; ``WordPressSite.stop()`` takes all of it down again.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from tests.realshop.instance import Instance, ShopError, missing_requirements, start_instance

if TYPE_CHECKING:
    from tests.wordpress.staff import StaffDesk

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIR = REPO / "wordpress" / "assist-client-area"
PHP_DIR = Path(__file__).resolve().parent / "php"
SiteError = ShopError


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
    """A running shop with the plugin. ``url`` has no trailing slash."""

    shop: Instance
    admin: SiteUser
    daemon: SiteUser
    staff: SiteUser
    clients: list[SiteUser]
    outsider: SiteUser
    page_url: str
    _helpers: str = field(default="", repr=False)

    # ------------------------------------------------------------- addresses

    @property
    def url(self) -> str:
        return self.shop.url

    @property
    def api(self) -> str:
        """Base of the plugin's namespace, e.g. ``http://127.0.0.1:PORT/wp-json/assist/v1``."""
        return f"{self.url}/wp-json/assist/v1"

    @property
    def workdir(self) -> Path:
        """The site's document root."""
        return self.shop.dir

    @property
    def content_dir(self) -> Path:
        return self.shop.dir / "wp-content"

    @property
    def plugin_dir(self) -> Path:
        """The plugin as installed in the site (a copy of ``wordpress/assist-client-area``)."""
        return self.content_dir / "plugins" / "assist-client-area"

    @property
    def debug_log(self) -> Path:
        return self.shop.dir / "debug.log"

    def daemon_auth(self) -> tuple[str, str]:
        """HTTP Basic credentials of the daemon user (Application Password)."""
        assert self.daemon.app_password is not None
        return (self.daemon.login, self.daemon.app_password)

    def env_lines(self) -> list[str]:
        """``.env`` lines pointing the daemon at this site's client area."""
        return [
            f"WP_URL={self.url}",
            f"WP_USERNAME={self.daemon.login}",
            f"WP_APP_PASSWORD={self.daemon.app_password}",
        ]

    def shop_env_lines(self, *, write: bool = False) -> list[str]:
        """``.env`` lines pointing the daemon at this site's WooCommerce (the read key, or the
        read/write one), with the CA to trust on an HTTPS shop."""
        key, secret = ("WOO_CONSUMER", "WOO_CONSUMER") if write else ("WOO_READ", "WOO_READ")
        lines = [
            f"WOO_URL={self.shop.env['WOO_URL']}",
            f"WOO_CONSUMER_KEY={self.shop.env[key + '_KEY']}",
            f"WOO_CONSUMER_SECRET={self.shop.env[secret + '_SECRET']}",
        ]
        if self.shop.ca:
            lines.append(f"WOO_CA_BUNDLE={self.shop.ca}")
        return lines

    # ---------------------------------------------------------------- browser

    def browser(self) -> requests.Session:
        """A fresh session that trusts the shop's CA. ``trust_env`` is off: requests would
        otherwise let ``REQUESTS_CA_BUNDLE`` from the environment replace ``verify``."""
        session = requests.Session()
        session.trust_env = False
        session.verify = self.shop.verify
        return session

    def login(self, user: SiteUser) -> requests.Session:
        """A requests session logged in as ``user`` through wp-login.php (cookie auth)."""
        session = self.browser()
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
        response = (session or self.browser()).get(self.page_url, timeout=30)
        response.raise_for_status()
        return response.text

    def staff_desk(self, user: SiteUser | None = None) -> StaffDesk:
        """The wp-admin screens, driven as ``user`` (default: the staff user)."""
        from tests.wordpress.staff import StaffDesk

        return StaffDesk(self, self.login(user or self.staff))

    # -------------------------------------------------------------------- PHP

    def php(self, code: str, args: object = None, *, user: str | int | None = None) -> str:
        """Run PHP ``code`` (no ``<?php``) inside this WordPress; return what it printed.

        ``args`` (any JSON value) is available to the code as ``$args`` (decoded to arrays); the
        test helpers of ``tests/wordpress/php/helpers.php`` are loaded.
        """
        return self.shop.php(f"require_once {self._helpers!r};\n{code}", args, user=user)

    def php_json(self, code: str, args: object = None, *, user: str | int | None = None) -> Any:
        """Run PHP ``code`` that echoes ``wp_json_encode(...)`` last; return the decoded value."""
        return self.shop.php_json(f"require_once {self._helpers!r};\n{code}", args, user=user)

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
        return [line for line in self.shop.debug_lines() if "assist-client-area" in line]

    # ------------------------------------------------------------------ down

    def stop(self) -> None:
        """Stop the shop, drop its database, remove every file."""
        self.shop.stop()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "user"


def _users() -> list[dict[str, object]]:
    def spec(
        key: str, login: str, name: str, role: str, caps: list[str], app: bool = False
    ) -> dict[str, object]:
        return {
            "key": key,
            "login": login,
            "email": f"{login}@example.test",
            "name": name,
            "password": secrets.token_urlsafe(18),
            "role": role,
            "caps": caps,
            "app": app,
        }

    return [
        spec("daemon", "assist-daemon", "Démon assist-sync", "subscriber", ["assist_sync"], True),
        spec("staff", "agence-support", "Support Agence", "assist_staff", []),
        spec("client1", "client-alice", "Alice Martin", "customer", []),
        spec("client2", "client-bruno", "Bruno Petit", "customer", []),
        spec("outsider", "visiteur", "Visiteur Curieux", "customer", [], True),
    ]


def install_plugin(shop: Instance) -> None:
    """Copy the plugin into the shop and activate it, as an administrator would."""
    target = shop.dir / "wp-content" / "plugins" / "assist-client-area"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(PLUGIN_DIR, target)
    shop.php(
        '$r = activate_plugin("assist-client-area/assist-client-area.php");'
        "if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message()); exit(1); }"
    )


def start_site(*, tls: bool = False) -> WordPressSite:
    """Bring a fresh shop with the plugin up. Raises SiteError (after cleaning up) on failure."""
    shop = start_instance(tls=tls)
    try:
        helpers = shop.home / "helpers.php"
        shutil.copy(PHP_DIR / "helpers.php", helpers)
        # French before the activation, which names the staff role in the site's language.
        shop.php(f"require_once {str(helpers)!r};\nassist_test_set_locale('fr_FR');")
        install_plugin(shop)
        specs = _users()
        out = shop.php_json(
            f"require_once {str(helpers)!r};\nassist_test_setup($args);", {"users": specs}
        )
        made = {
            str(s["key"]): SiteUser(
                login=str(s["login"]),
                password=str(s["password"]),
                email=str(s["email"]),
                name=str(s["name"]),
                id=int(out["users"][s["login"]]["id"]),
                app_password=out["users"][s["login"]].get("app"),
            )
            for s in specs
        }
        site = WordPressSite(
            shop=shop,
            admin=SiteUser(
                shop.env["WP_ADMIN_USER"], shop.env["WP_ADMIN_PASSWORD"], "", "admin", id=1
            ),
            daemon=made["daemon"],
            staff=made["staff"],
            clients=[made["client1"], made["client2"]],
            outsider=made["outsider"],
            page_url=str(out["page_url"]),
            _helpers=str(helpers),
        )
        _wait_until_ready(site)
        return site
    except BaseException:
        shop.stop()
        raise


def _wait_until_ready(site: WordPressSite) -> None:
    """Until the site answers ``/wp-json/`` with the plugin's namespace (60 s)."""
    deadline = time.monotonic() + 60
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{site.url}/wp-json/", timeout=10, verify=site.shop.verify)
            if response.ok and "assist/v1" in response.json().get("namespaces", []):
                return
            last = f"HTTP {response.status_code}"
        except (requests.RequestException, ValueError) as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise SiteError(f"the shop did not list assist/v1 under /wp-json/ within 60 s ({last})")


__all__ = ["SiteError", "SiteUser", "WordPressSite", "missing_requirements", "start_site"]
