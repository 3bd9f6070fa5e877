"""Settings: defaults, the .env file, one line per problem, secrets never shown, exit code 2."""

from __future__ import annotations

import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config import ConfigError, Secret, load_settings
from config.catalog import DEFAULT_CATALOG

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = ROOT / ".venv" / "bin" / "assist-sync"


def problems(environ: dict[str, str]) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ, None)
    return caught.value.problems


def test_defaults_need_no_configuration() -> None:
    settings = load_settings({}, None)
    assert settings.database_url == "sqlite:///assist-sync.sqlite3"
    assert settings.timezone == ZoneInfo("Europe/Paris")
    assert settings.catalog is DEFAULT_CATALOG
    assert settings.rounding_minutes == 1


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ASSIST_TIMEZONE=America/Montreal\nWP_USERNAME=from-file\n")
    settings = load_settings({"WP_USERNAME": "from-env"}, env_file)
    assert settings.timezone == ZoneInfo("America/Montreal")
    assert settings.wp_username == "from-env"


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////var/lib/assist/ledger.sqlite3", "sqlite:////var/lib/assist/ledger.sqlite3"),
    ],
)
def test_database_urls_are_normalized_to_their_driver(url: str, normalized: str) -> None:
    assert load_settings({"ASSIST_DATABASE_URL": url}, None).database_url == normalized


def test_an_unknown_database_scheme_is_one_line_without_the_password() -> None:
    (line,) = problems({"ASSIST_DATABASE_URL": "mysql://root:hunter2@db/ledger"})
    assert "unknown scheme 'mysql'" in line and "hunter2" not in line


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_a_sqlite_url_without_a_file_is_refused(url: str) -> None:
    (line,) = problems({"ASSIST_DATABASE_URL": url})
    assert line.startswith(f"ASSIST_DATABASE_URL {url!r} names no file")


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        {
            "ASSIST_TIMEZONE": "Mars/Olympus",
            "ASSIST_ROUNDING_MINUTES": "0",
            "WOO_URL": "shop.example.fr",
            "ASSIST_LOG_FORMAT": "xml",
        }
    )
    assert len(found) == 4
    assert any("ASSIST_TIMEZONE" in p for p in found)
    assert any("ASSIST_ROUNDING_MINUTES='0'" in p for p in found)


def test_plain_http_to_a_remote_host_needs_an_explicit_opt_in() -> None:
    (line,) = problems({"WOO_URL": "http://shop.example.fr"})
    assert "ASSIST_ALLOW_INSECURE_HTTP=1" in line
    assert load_settings({"WOO_URL": "http://127.0.0.1:8080"}, None).woo_url
    allowed = {"WOO_URL": "http://shop.example.fr", "ASSIST_ALLOW_INSECURE_HTTP": "1"}
    assert load_settings(allowed, None).woo_url == "http://shop.example.fr"


def test_secrets_never_appear_in_repr() -> None:
    settings = load_settings(
        {
            "ASSIST_DATABASE_URL": "postgresql://u:db-pass-1@h/db",
            "WOO_URL": "https://shop.example.fr",
            "WOO_CONSUMER_KEY": "ck_key-pass-2",
            "WOO_CONSUMER_SECRET": "cs_secret-pass-3",
            "WP_URL": "https://shop.example.fr",
            "WP_USERNAME": "sync",
            "WP_APP_PASSWORD": "app-pass-4",
            "SMTP_URL": "smtp://mail:smtp-pass-5@mail.example.fr:587",
        },
        None,
    )
    text = repr(settings) + str(settings)
    for secret in ("db-pass-1", "key-pass-2", "secret-pass-3", "app-pass-4", "smtp-pass-5"):
        assert secret not in text
    assert settings.woo_consumer_secret.reveal() == "cs_secret-pass-3"
    assert repr(Secret("x")) == "Secret('********')" and str(Secret("")) == "Secret('')"
    assert not Secret("") and Secret("a") == Secret("a")


def test_secrets_never_appear_in_errors() -> None:
    found = problems(
        {
            "SMTP_URL": "smtpx://mail:smtp-pass@mail.example.fr",
            "WOO_URL": "ftp://user:woo-pass@shop.example.fr/",
        }
    )
    assert len(found) == 2
    assert all("smtp-pass" not in p and "woo-pass" not in p for p in found)
    assert any("mail:***@mail.example.fr" in p for p in found)


def test_remote_settings_are_required_only_by_the_commands_that_use_them() -> None:
    settings = load_settings({"WOO_URL": "https://shop.example.fr"}, None)
    with pytest.raises(ConfigError) as caught:
        settings.require_shop()
    assert caught.value.problems == (
        "WOO_CONSUMER_KEY is not set (put it in the environment or in .env)",
        "WOO_CONSUMER_SECRET is not set (put it in the environment or in .env)",
    )


def test_request_limits_have_defaults_and_units() -> None:
    settings = load_settings({}, None)
    assert (settings.request_deadline, settings.max_response_bytes) == (120.0, 32 * 1024 * 1024)
    # Unset, the request deadline is never longer than the run's.
    assert load_settings({"ASSIST_RUN_DEADLINE": "45"}, None).request_deadline == 45
    chosen = load_settings(
        {"ASSIST_REQUEST_DEADLINE": "30.5", "ASSIST_MAX_RESPONSE_BYTES": "64M"}, None
    )
    assert (chosen.request_deadline, chosen.max_response_bytes) == (30.5, 64 * 1024 * 1024)
    assert load_settings({"ASSIST_MAX_RESPONSE_BYTES": "2097152"}, None).max_response_bytes == (
        2 * 1024 * 1024
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"ASSIST_REQUEST_DEADLINE": "0"}, "ASSIST_REQUEST_DEADLINE='0' is not valid: expected"),
        ({"ASSIST_REQUEST_DEADLINE": "inf"}, "ASSIST_REQUEST_DEADLINE='inf' is not valid"),
        (
            {"ASSIST_REQUEST_DEADLINE": "1000"},
            "ASSIST_REQUEST_DEADLINE='1000' is longer than ASSIST_RUN_DEADLINE (900 s): one "
            "request cannot outlast the run that makes it",
        ),
        (
            {"ASSIST_MAX_RESPONSE_BYTES": "512K"},
            "ASSIST_MAX_RESPONSE_BYTES='512K' is not valid: expected a size of at least 1 MiB "
            "(e.g. 32M)",
        ),
        ({"ASSIST_MAX_RESPONSE_BYTES": "lots"}, "ASSIST_MAX_RESPONSE_BYTES='lots' is not valid"),
        ({"ASSIST_READ_TIMEOUT": "nan"}, "ASSIST_READ_TIMEOUT='nan' is not valid"),
    ],
)
def test_request_limits_are_checked_one_line_each(environ: dict[str, str], expected: str) -> None:
    (line,) = problems(environ)
    assert line.startswith(expected), line


# --- through the command line: one line, exit code 2 ------------------------------------------

PACK = '[[pack]]\nsku = "A"\nhours = {hours}\nprice = "1"\nvalidity_months = 1\n'


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing catalog", "ASSIST_CATALOG: file not found"),
        ("malformed toml", "is not valid TOML"),
        ("negative hours", "'hours' must be a whole number above 0 (got -3)"),
        ("unknown database scheme", "ASSIST_DATABASE_URL has an unknown scheme 'oracle'"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(tmp_path: Path, case: str, expected: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env["ASSIST_DATABASE_URL"] = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    catalog = tmp_path / "catalog.toml"
    if case == "missing catalog":
        env["ASSIST_CATALOG"] = str(tmp_path / "absent.toml")
    elif case == "malformed toml":
        catalog.write_text("[[pack]\nsku = 'A'\n")
        env["ASSIST_CATALOG"] = str(catalog)
    elif case == "negative hours":
        catalog.write_text(PACK.format(hours=-3))
        env["ASSIST_CATALOG"] = str(catalog)
    else:
        env["ASSIST_DATABASE_URL"] = "oracle://scott:tiger@db/orcl"
    done = subprocess.run(
        [str(EXECUTABLE), "status"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("configuration error: ") and expected in lines[0]
    assert "tiger" not in done.stderr
    assert done.stdout == ""


def run_status(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env["ASSIST_DATABASE_URL"] = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    return subprocess.run(
        [str(EXECUTABLE), *options, "status"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def test_an_env_file_named_but_missing_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_status(tmp_path, "--env-file", str(tmp_path / "prod.env"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: --env-file {tmp_path / 'prod.env'}: no such file"
    ]
    assert done.stdout == ""


def test_the_default_env_file_may_be_missing_and_a_named_one_is_read(tmp_path: Path) -> None:
    assert run_status(tmp_path).returncode == 0  # no ./.env: defaults and the environment
    named = tmp_path / "prod.env"
    named.write_text("ASSIST_TIMEZONE=Mars/Olympus\n")
    done = run_status(tmp_path, "--env-file", str(named))
    assert done.returncode == 2 and "ASSIST_TIMEZONE" in done.stderr


def test_the_package_declares_its_license_as_an_spdx_expression() -> None:
    from importlib.metadata import metadata

    assert metadata("assist-sync")["License-Expression"] == "MIT"
