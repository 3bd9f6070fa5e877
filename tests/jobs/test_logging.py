"""Daemon logs: one line per run, JSON on demand, and no secret ever in the output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from config import load_settings
from jobs.logging import MASK, Redactor, configure_logging, format_run_line

KEY = "ck_2f8a6c1d9e0b4a7f3c5d8e1a2b4c6d8e0f1a3b5c"
SECRET = "cs_9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d"
APP_PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
DB_PASSWORD = "s3cr3t-db-pw"
SMTP_PASSWORD = "mail-pw-42"
ENV = {
    "WOO_URL": "https://shop.example",
    "WOO_CONSUMER_KEY": KEY,
    "WOO_CONSUMER_SECRET": SECRET,
    "WP_URL": "https://shop.example",
    "WP_USERNAME": "assist-bot",
    "WP_APP_PASSWORD": APP_PASSWORD,
    "ASSIST_DATABASE_URL": f"postgresql://assist:{DB_PASSWORD}@db.example/assist",
    "SMTP_URL": f"smtp://mailer:{SMTP_PASSWORD}@mail.example:587",
}
ALL_SECRETS = [KEY, SECRET, APP_PASSWORD, APP_PASSWORD.replace(" ", ""), DB_PASSWORD, SMTP_PASSWORD]


@pytest.fixture
def capture() -> Iterator[tuple[io.StringIO, Redactor]]:
    """Logging configured from ENV into a buffer, with a redactor of its own."""
    stream = io.StringIO()
    redactor = Redactor()
    handler = configure_logging(load_settings(ENV, dotenv_path=None), stream, redactor)
    try:
        yield stream, redactor
    finally:
        logging.getLogger().removeHandler(handler)


def assert_clean(output: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in output
    assert MASK in output


def test_secret_values_are_masked_in_messages_arguments_and_extras(
    capture: tuple[io.StringIO, Redactor],
) -> None:
    stream, _ = capture
    log = logging.getLogger("assist.test")
    log.info("key %s secret %s", KEY, SECRET)
    log.warning("password %r", APP_PASSWORD.replace(" ", ""))
    log.error("connect to %s failed", ENV["ASSIST_DATABASE_URL"], extra={"url": ENV["SMTP_URL"]})
    output = stream.getvalue()
    assert_clean(output)
    assert output.count("\n") == 3
    assert "assist.test key ******** secret ********" in output


def test_credentials_shaped_text_is_masked_even_when_not_a_known_setting() -> None:
    redactor = Redactor()
    url = "https://shop.example/wp-json/wc/v3/orders?consumer_key=ck_other&consumer_secret=cs_other&page=2"
    assert redactor.redact(url) == (
        f"https://shop.example/wp-json/wc/v3/orders?consumer_key={MASK}&consumer_secret={MASK}&page=2"
    )
    signed = "GET /orders?oauth_consumer_key=ck_x&oauth_signature=abc%3D&oauth_nonce=1"
    assert "ck_x" not in redactor.redact(signed)
    assert "abc%3D" not in redactor.redact(signed)
    assert "oauth_nonce=1" in redactor.redact(signed)
    headers = "{'Authorization': 'Basic YXNzaXN0OnBhc3M=', 'Accept': 'application/json'}"
    assert (
        redactor.redact(headers) == f"{{'Authorization': '{MASK}', 'Accept': 'application/json'}}"
    )
    assert redactor.redact("Authorization: Bearer tok.en.value") == f"Authorization: {MASK}"
    assert (
        redactor.redact("postgresql+psycopg://me:pa:ss@host:5432/db")
        == f"postgresql+psycopg://me:{MASK}@host:5432/db"
    )
    assert redactor.redact("nothing secret here: 12 orders") == "nothing secret here: 12 orders"


def test_a_traceback_carrying_a_secret_is_masked(capture: tuple[io.StringIO, Redactor]) -> None:
    stream, _ = capture
    try:
        raise RuntimeError(f"GET https://shop.example/orders?consumer_secret={SECRET} refused")
    except RuntimeError:
        logging.getLogger("assist.test").exception("run failed")
    output = stream.getvalue()
    assert "Traceback" in output
    assert_clean(output)


def test_json_format_gives_one_object_per_line_without_secrets() -> None:
    stream = io.StringIO()
    env = dict(ENV, ASSIST_LOG_FORMAT="json")
    handler = configure_logging(load_settings(env, dotenv_path=None), stream, Redactor())
    try:
        log = logging.getLogger("jobs.runs")
        log.info(
            "orders ok in 1.2 s: orders_read=12",
            extra={"job": "orders", "summary": {"orders_read": 12, "note": f"key={KEY}"}},
        )
        log.warning("with secret %s", SECRET)
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "orders ok in 1.2 s: orders_read=12"
    assert first["level"] == "INFO"
    assert first["logger"] == "jobs.runs"
    assert first["job"] == "orders"
    assert first["summary"]["orders_read"] == 12
    assert first["time"].endswith("Z")
    assert second["message"] == f"with secret {MASK}"
    assert_clean(stream.getvalue())


def test_configuring_twice_keeps_one_handler() -> None:
    settings = load_settings({}, dotenv_path=None)
    stream = io.StringIO()
    first = configure_logging(settings, io.StringIO(), Redactor())
    second = configure_logging(settings, stream, Redactor())
    try:
        logging.getLogger("assist.test").info("once")
        assert first not in logging.getLogger().handlers
        assert stream.getvalue().count("once") == 1
    finally:
        logging.getLogger().removeHandler(second)


def test_run_line_lists_the_figures_after_the_duration() -> None:
    summary = {"orders_read": 12, "lots_opened": 2, "seconds": 1.23, "requests": 3}
    assert (
        format_run_line("orders", "ok", 1.234, summary)
        == "orders ok in 1.2 s: orders_read=12 lots_opened=2 requests=3"
    )
    assert (
        format_run_line("accounts", "failed", 0.31, {"requests": 1}, "TransientError: 503")
        == "accounts failed in 0.3 s: requests=1 — TransientError: 503"
    )
    assert format_run_line("sweep", "skipped", 0, {}, "the previous run is still going") == (
        "sweep skipped in 0.0 s: the previous run is still going"
    )


def test_short_values_are_not_masked_everywhere() -> None:
    redactor = Redactor(["ab", "", "long-enough"])
    assert redactor.redact("ab long-enough") == f"ab {MASK}"


def test_chatty_libraries_are_quiet_below_their_level(
    capture: tuple[io.StringIO, Redactor],
) -> None:
    stream, _ = capture
    subset = logging.getLogger("fontTools.subset")
    subset.setLevel(logging.DEBUG)  # as some libraries do to their own loggers
    subset.info("glyf pruned")
    logging.getLogger("apscheduler.executors.default").warning("Run time of job was missed")
    logging.getLogger("fontTools.ttLib").warning("a font problem")
    logging.getLogger("jobs.runs").info("orders ok in 0.1 s")
    output = stream.getvalue()
    assert "glyf pruned" not in output
    assert "was missed" not in output
    assert "a font problem" in output
    assert "orders ok" in output
