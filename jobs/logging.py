"""Daemon logs: one line per record, text or JSON, with every secret masked.

``configure_logging(settings)`` installs one stderr handler on the root logger. A
``RedactionFilter`` on that handler rewrites every record that reaches it (message, arguments,
traceback, stack, extra fields) through a ``Redactor``: the values of the Secret settings, the
credentials of URLs (``consumer_key=``, ``consumer_secret=``, ``oauth_signature=``…), Authorization
headers and the passwords of database or SMTP URLs never reach the output.

``format_run_line`` gives the one line a finished run is logged as, e.g.
``orders ok in 1.2 s: orders_read=12 lots_opened=2 requests=3``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import IO, Any

from config import Secret, Settings

MASK = "********"

# Query-string and form credentials (WooCommerce query auth, OAuth 1.0a, tokens).
_QUERY_SECRET = re.compile(
    r"(?i)\b((?:oauth_)?consumer_(?:key|secret)|oauth_signature|oauth_token|access_token|"
    r"api_key|apikey|token|password|passwd|app_password)=([^&\s\"'<>]+)"
)
# "Authorization: Basic …", "'Authorization': 'Bearer …'", "authorization=…".
_AUTH_HEADER = re.compile(r"(?i)(\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)([^\"'\r\n,}]+)")
# scheme://user:password@host — database, SMTP and HTTP URLs alike.
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/?#@\s]*:)([^@/\s]+)(@)")
# Secrets shorter than this are not masked by value: masking "a" would garble every line.
_MIN_SECRET_LENGTH = 4

# Standard LogRecord attributes: everything else on a record came from ``extra=``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class Redactor:
    """Masks known secret values and credential-shaped text. Thread-safe; values can be added."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()
        self.add(*secrets)

    def add(self, *secrets: str | Secret | None) -> None:
        """Mask these values from now on (a Secret is revealed here, once, to be matched)."""
        found = set(self._values)
        for secret in secrets:
            value = secret.reveal() if isinstance(secret, Secret) else secret
            if not value or len(value) < _MIN_SECRET_LENGTH:
                continue
            found.add(value)
            # WordPress application passwords work with or without their spaces.
            if " " in value and len(value.replace(" ", "")) >= _MIN_SECRET_LENGTH:
                found.add(value.replace(" ", ""))
        with self._lock:
            # Longest first, so a secret containing another is masked whole.
            self._values = tuple(sorted(found, key=len, reverse=True))

    def add_settings(self, settings: Settings) -> None:
        """Mask every Secret field of ``settings`` and the password of the database URL."""
        for value in vars(settings).values():
            if isinstance(value, Secret):
                self.add(value)
        self.add(url_password(settings.database_url))

    def redact(self, text: str) -> str:
        """``text`` with every known secret and credential-shaped value replaced by a mask."""
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", text)
        text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
        return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)

    def redact_value(self, value: Any) -> Any:
        """Redact the strings inside a JSON-like value (dicts, lists, scalars)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {str(k): self.redact_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_value(v) for v in value]
        if isinstance(value, Secret):
            return repr(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        return self.redact(str(value))


def url_password(url: str) -> str | None:
    """The password part of ``scheme://user:password@host``, or None."""
    match = _URL_PASSWORD.search(url)
    return match.group(2) if match else None


# The redactor the daemon's handler uses; ``configure_logging`` feeds it the settings.
REDACTOR = Redactor()


class RedactionFilter(logging.Filter):
    """Rewrites each record so that nothing secret is left in it for any formatter to print."""

    def __init__(self, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _RECORD_FIELDS:
                setattr(record, name, self.redactor.redact_value(value))
        return True


class TextFormatter(logging.Formatter):
    """``2026-01-31T10:00:00Z INFO jobs.runs orders ok in 1.2 s: …`` (UTC, ISO 8601)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_iso(record.created)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and name not in data:
                data[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["traceback"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


# Libraries whose chatter below these levels is dropped: the daemon's own lines say what matters.
# APScheduler's missed/refused-run warnings are repeated by the recorded skip lines.
QUIET_LIBRARIES = {
    "apscheduler": logging.ERROR,
    "fontTools": logging.WARNING,
    "weasyprint": logging.WARNING,
    "urllib3": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "alembic": logging.WARNING,
}


class QuietLibraries(logging.Filter):
    """Drops the records of chatty libraries below their level (whatever their loggers say)."""

    def __init__(self, levels: Mapping[str, int] = QUIET_LIBRARIES) -> None:
        super().__init__()
        self.levels = dict(levels)

    def filter(self, record: logging.LogRecord) -> bool:
        top = record.name.split(".", 1)[0]
        return record.levelno >= self.levels.get(top, logging.NOTSET)


def configure_logging(
    settings: Settings, stream: IO[str] | None = None, redactor: Redactor = REDACTOR
) -> logging.Handler:
    """Send every log record to ``stream`` (default stderr) in ``settings.log_format``.

    Replaces the handler this function installed before (so calling it twice is safe), masks the
    secrets of ``settings`` and quiets the chatty libraries. Returns the handler.
    """
    redactor.add_settings(settings)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name("assist-sync")
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(QuietLibraries())
    handler.addFilter(RedactionFilter(redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "assist-sync"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # Python warnings become records too, so that JSON output stays one object per line.
    logging.captureWarnings(True)
    return handler


def format_run_line(
    job: str,
    outcome: str,
    seconds: float,
    summary: Mapping[str, object],
    error: str | None = None,
) -> str:
    """The one line a run is logged as: job, outcome, duration, then its figures.

    ``seconds`` in the summary is left out (the duration says it); an error follows the figures.
    """
    figures = " ".join(
        f"{key}={_figure(value)}" for key, value in summary.items() if key != "seconds"
    )
    line = f"{job} {outcome} in {seconds:.1f} s"
    if figures:
        line += f": {figures}"
    if error:
        line += f" — {error}" if figures else f": {error}"
    return line


def _figure(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return str(value)


def _utc_iso(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
