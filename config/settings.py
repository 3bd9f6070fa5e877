"""Settings from the environment and a ``.env`` file, validated once at start-up.

Every problem found becomes one line of a ConfigError, so a user fixes them all in one go.
Remote settings (shop, client area, mail) are optional here; the commands that need them call
``require_shop()`` / ``require_client_area()`` / ``require_mail()``.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from config.env_file import read_env_file
from config.errors import ConfigError
from config.secret import Secret

T = TypeVar("T")

MIB = 1024 * 1024
# What one HTTP request may take in all (connect, TLS, headers, body), and how big an answer may
# be once decompressed: a page of 100 orders is well under 1 MiB, the REST index a few MiB.
DEFAULT_REQUEST_DEADLINE = 120.0
DEFAULT_MAX_RESPONSE_BYTES = 32 * MIB
MIN_RESPONSE_BYTES = MIB
SIZE_UNITS = {"": 1, "K": 1024, "KB": 1024, "KIB": 1024, "M": MIB, "MB": MIB, "MIB": MIB}

DEFAULT_DATABASE_FILE = "assist-sync.sqlite3"
DATABASE_SCHEMES = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


@dataclass(frozen=True)
class Intervals:
    """Seconds between two runs of each scheduled job."""

    orders: int = 300
    client_area: int = 120
    accounts: int = 60
    sweep: int = 3600
    reconcile: int = 86400


@dataclass(frozen=True)
class Settings:
    """Everything the daemon reads from its environment. Secrets are wrapped in ``Secret``."""

    # repr=False: a PostgreSQL URL may carry a password.
    database_url: str = field(default=f"sqlite:///{DEFAULT_DATABASE_FILE}", repr=False)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    catalog: Catalog = DEFAULT_CATALOG
    catalog_path: str | None = None
    woo_url: str | None = None
    woo_consumer_key: Secret = field(default_factory=lambda: Secret(""))
    woo_consumer_secret: Secret = field(default_factory=lambda: Secret(""))
    woo_ca_bundle: str | None = None
    wp_ca_bundle: str | None = None  # the client area's CA file, if it is not the shop's host
    wp_url: str | None = None
    wp_username: str | None = None
    wp_app_password: Secret = field(default_factory=lambda: Secret(""))
    allow_insecure_http: bool = False
    rounding_minutes: int = 1
    overlap_seconds: int = 300
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 5
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    run_deadline_seconds: int = 900
    intervals: Intervals = field(default_factory=Intervals)
    low_balance_minutes: int = 60
    smtp_url: Secret = field(default_factory=lambda: Secret(""))
    mail_from: str | None = None
    admin_email: str | None = None
    log_format: str = "text"
    log_level: str = "INFO"

    def require_shop(self) -> None:
        """Raise ConfigError unless the WooCommerce settings are all present."""
        missing = [
            name
            for name, value in (
                ("WOO_URL", self.woo_url),
                ("WOO_CONSUMER_KEY", self.woo_consumer_key),
                ("WOO_CONSUMER_SECRET", self.woo_consumer_secret),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                [f"{name} is not set (put it in the environment or in .env)" for name in missing]
            )

    def require_client_area(self) -> None:
        """Raise ConfigError unless the WordPress client-area settings are all present."""
        missing = [
            name
            for name, value in (
                ("WP_URL", self.wp_url),
                ("WP_USERNAME", self.wp_username),
                ("WP_APP_PASSWORD", self.wp_app_password),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                [f"{name} is not set (put it in the environment or in .env)" for name in missing]
            )

    def require_mail(self) -> None:
        """Raise ConfigError unless SMTP_URL and MAIL_FROM are set."""
        missing = [
            name
            for name, value in (("SMTP_URL", self.smtp_url), ("MAIL_FROM", self.mail_from))
            if not value
        ]
        if missing:
            raise ConfigError([f"{name} is not set (needed to send warnings)" for name in missing])


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | Path | None = ".env",
) -> Settings:
    """Build Settings from ``environ`` (default: os.environ) over the values of ``dotenv_path``.

    The environment wins over the file. Raises ConfigError listing every problem found.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    if dotenv_path is not None:
        values, problems = read_env_file(dotenv_path)
    values.update(os.environ if environ is None else environ)
    return _Reader(values, problems).settings()


class _Reader:
    def __init__(self, values: Mapping[str, str], problems: list[str] | None = None) -> None:
        self.values = values
        self.problems: list[str] = list(problems or [])

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    def parse(self, name: str, default: T, convert: Callable[[str], T], hint: str) -> T:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            return convert(raw)
        except (ValueError, ArithmeticError):
            self.problems.append(f"{name}={raw!r} is not valid: {hint}")
            return default

    def positive_int(self, name: str, default: int, minimum: int = 1) -> int:
        def convert(raw: str) -> int:
            value = int(raw)
            if value < minimum:
                raise ValueError
            return value

        return self.parse(name, default, convert, f"expected a whole number ≥ {minimum}")

    def seconds(self, name: str, default: float) -> float:
        def convert(raw: str) -> float:
            value = float(raw)
            if not 0 < value < math.inf:
                raise ValueError
            return value

        return self.parse(name, default, convert, "expected a number of seconds above 0")

    def size(self, name: str, default: int, minimum: int) -> int:
        """A number of bytes, optionally with a binary unit: ``33554432``, ``32M``, ``512K``."""

        def convert(raw: str) -> int:
            number = raw.upper().replace(" ", "")
            unit = number.lstrip("0123456789")
            if unit not in SIZE_UNITS or unit == number:
                raise ValueError
            value = int(number[: len(number) - len(unit)]) * SIZE_UNITS[unit]
            if value < minimum:
                raise ValueError
            return value

        return self.parse(
            name, default, convert, f"expected a size of at least {minimum // MIB} MiB (e.g. 32M)"
        )

    def request_deadline(self, run_deadline: int) -> float:
        """ASSIST_REQUEST_DEADLINE: a request may not outlast its run; unset, it is shortened to
        the run's deadline when that is shorter than the default."""
        raw = self.get("ASSIST_REQUEST_DEADLINE")
        if raw is None:
            return min(DEFAULT_REQUEST_DEADLINE, float(run_deadline))
        known = len(self.problems)
        seconds = self.seconds("ASSIST_REQUEST_DEADLINE", DEFAULT_REQUEST_DEADLINE)
        if len(self.problems) == known and seconds > run_deadline:
            self.problems.append(
                f"ASSIST_REQUEST_DEADLINE={raw!r} is longer than ASSIST_RUN_DEADLINE "
                f"({run_deadline} s): one request cannot outlast the run that makes it"
            )
        return seconds

    def flag(self, name: str) -> bool:
        raw = self.get(name)
        if raw is None:
            return False
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name}={raw!r} is not valid: expected 1 or 0")
        return False

    def url(self, name: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
        raw = self.get(name)
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.hostname:
            self.problems.append(
                f"{name}={mask_password(raw)!r} is not a URL: "
                f"expected {' or '.join(schemes)}://host[/path]"
            )
            return None
        return raw.rstrip("/")

    def insecure_url(self, name: str, url: str | None, allow: bool) -> None:
        if url is None or urlsplit(url).scheme != "http" or allow:
            return
        if not is_loopback(urlsplit(url).hostname or ""):
            self.problems.append(
                f"{name} uses plain http to a remote host: use https, "
                "or set ASSIST_ALLOW_INSECURE_HTTP=1 if you really mean it"
            )

    def database_url(self) -> str:
        raw = self.get("ASSIST_DATABASE_URL")
        if raw is None:
            return f"sqlite:///{DEFAULT_DATABASE_FILE}"
        scheme, sep, rest = raw.partition("://")
        if not sep or scheme.lower() not in DATABASE_SCHEMES:
            known = "sqlite:///FILE or postgresql://USER@HOST/DB"
            self.problems.append(
                f"ASSIST_DATABASE_URL has an unknown scheme {scheme!r}: expected {known}"
            )
            return f"sqlite:///{DEFAULT_DATABASE_FILE}"
        driver = DATABASE_SCHEMES[scheme.lower()]
        if driver == "sqlite" and rest.lstrip("/").split("?")[0] in {"", ":memory:"}:
            # SQLAlchemy would open a database in memory: every write lost at exit.
            self.problems.append(
                f"ASSIST_DATABASE_URL {raw!r} names no file: expected sqlite:///FILE "
                f"(e.g. sqlite:///{DEFAULT_DATABASE_FILE})"
            )
            return f"sqlite:///{DEFAULT_DATABASE_FILE}"
        return f"{driver}://{rest}"

    def timezone(self) -> ZoneInfo:
        raw = self.get("ASSIST_TIMEZONE") or "Europe/Paris"
        try:
            return ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            self.problems.append(f"ASSIST_TIMEZONE={raw!r} is not a known time zone")
            return ZoneInfo("Europe/Paris")

    def catalog(self) -> tuple[Catalog, str | None]:
        path = self.get("ASSIST_CATALOG")
        try:
            return load_catalog(path), path
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return DEFAULT_CATALOG, path

    def file(self, name: str) -> str | None:
        """A setting naming a file that must exist (a CA bundle)."""
        path = self.get(name)
        if path is not None and not Path(path).is_file():
            self.problems.append(f"{name}: file not found: {path}")
        return path

    def choice(self, name: str, default: str, options: tuple[str, ...]) -> str:
        raw = (self.get(name) or default).lower()
        if raw not in options:
            self.problems.append(
                f"{name}={raw!r} is not valid: expected one of {', '.join(options)}"
            )
            return default
        return raw

    def settings(self) -> Settings:
        allow_insecure = self.flag("ASSIST_ALLOW_INSECURE_HTTP")
        woo_url = self.url("WOO_URL")
        wp_url = self.url("WP_URL")
        self.insecure_url("WOO_URL", woo_url, allow_insecure)
        self.insecure_url("WP_URL", wp_url, allow_insecure)
        ca_bundle, wp_ca_bundle = self.file("WOO_CA_BUNDLE"), self.file("WP_CA_BUNDLE")
        smtp = self.url("SMTP_URL", ("smtp", "smtps"))
        catalog, catalog_path = self.catalog()
        defaults = Intervals()
        run_deadline = self.positive_int("ASSIST_RUN_DEADLINE", 900)
        settings = Settings(
            database_url=self.database_url(),
            timezone=self.timezone(),
            catalog=catalog,
            catalog_path=catalog_path,
            woo_url=woo_url,
            woo_consumer_key=Secret(self.get("WOO_CONSUMER_KEY") or ""),
            woo_consumer_secret=Secret(self.get("WOO_CONSUMER_SECRET") or ""),
            woo_ca_bundle=ca_bundle,
            wp_ca_bundle=wp_ca_bundle,
            wp_url=wp_url,
            wp_username=self.get("WP_USERNAME"),
            wp_app_password=Secret(self.get("WP_APP_PASSWORD") or ""),
            allow_insecure_http=allow_insecure,
            rounding_minutes=self.positive_int("ASSIST_ROUNDING_MINUTES", 1),
            overlap_seconds=self.positive_int("ASSIST_SYNC_OVERLAP", 300, minimum=0),
            connect_timeout=self.seconds("ASSIST_CONNECT_TIMEOUT", 10.0),
            read_timeout=self.seconds("ASSIST_READ_TIMEOUT", 60.0),
            max_retries=self.positive_int("ASSIST_MAX_RETRIES", 5, minimum=0),
            request_deadline=self.request_deadline(run_deadline),
            max_response_bytes=self.size(
                "ASSIST_MAX_RESPONSE_BYTES", DEFAULT_MAX_RESPONSE_BYTES, MIN_RESPONSE_BYTES
            ),
            run_deadline_seconds=run_deadline,
            intervals=Intervals(
                orders=self.positive_int("ASSIST_ORDERS_INTERVAL", defaults.orders),
                client_area=self.positive_int("ASSIST_CLIENT_AREA_INTERVAL", defaults.client_area),
                accounts=self.positive_int("ASSIST_ACCOUNTS_INTERVAL", defaults.accounts),
                sweep=self.positive_int("ASSIST_SWEEP_INTERVAL", defaults.sweep),
                reconcile=self.positive_int("ASSIST_RECONCILE_INTERVAL", defaults.reconcile),
            ),
            low_balance_minutes=self.positive_int("ASSIST_LOW_BALANCE_MINUTES", 60, minimum=0),
            smtp_url=Secret(smtp or ""),
            mail_from=self.get("MAIL_FROM"),
            admin_email=self.get("ADMIN_EMAIL"),
            log_format=self.choice("ASSIST_LOG_FORMAT", "text", ("text", "json")),
            log_level=self.choice(
                "ASSIST_LOG_LEVEL", "info", ("debug", "info", "warning", "error")
            ).upper(),
        )
        if self.problems:
            raise ConfigError(self.problems)
        return settings


def mask_password(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}{slash}{path}"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where plain HTTP cannot leak a secret."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
