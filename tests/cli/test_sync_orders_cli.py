"""``assist-sync sync orders`` and ``assist-sync doctor`` against the sandbox: in-process through
the real error boundary (``run_cli``), and as real subprocesses. Exit codes, the JSON keys, one
line per error without a traceback, and secrets never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.cli.harness import ORDER_KEYS, Cli, free_port, sandbox_env

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def invoke(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(sandbox_env(sandbox, tmp_path), tmp_path, monkeypatch)


def test_json_summary_has_exactly_the_documented_keys(invoke: Cli) -> None:
    first = invoke("sync", "orders", "--json")
    assert first.code == 0, first.stderr
    summary = first.json()
    assert list(summary) == ORDER_KEYS
    assert summary["orders_read"] > 0 and summary["lots_opened"] > 0  # type: ignore[operator]
    assert first.stderr == ""  # no progress bar when not on a terminal
    again = invoke("sync", "orders", "--json")
    assert again.json()["requests"] == 1 and again.json()["lots_opened"] == 0


def test_text_summary_table_and_dry_run(invoke: Cli) -> None:
    dry = invoke("sync", "orders", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "dry run: nothing was written" in dry.stdout
    for label in ("orders read", "lots opened", "lots changed", "lots voided", "requests made"):
        assert label in dry.stdout
    real = invoke("sync", "orders", "--full")
    assert real.code == 0 and "Orders sync" in real.stdout and "dry run" not in real.stdout
    assert invoke("sync", "orders", "--json").json()["lots_opened"] == 0


def test_since_and_client_options(invoke: Cli, sandbox: Sandbox) -> None:
    client = next(iter(sandbox.shop.customers))
    narrowed = invoke("sync", "orders", "--client", str(client), "--since", "2020-01-01", "--json")
    assert narrowed.code == 0, narrowed.stderr
    query = [r.query for r in sandbox.requests if r.route == "/wc/v3/orders"][-1]
    assert query["customer"] == str(client)
    assert query["modified_after"] == "2019-12-31T23:00:00"  # midnight in Paris, in UTC
    bad = invoke("sync", "orders", "--since", "last tuesday")
    assert bad.code == 2 and "--since 'last tuesday' is not a date" in bad.one_error_line()


def test_missing_shop_settings_exit_2(invoke: Cli) -> None:
    outcome = invoke("sync", "orders", WOO_URL="")
    assert outcome.code == 2
    assert outcome.one_error_line() == (
        "configuration error: WOO_URL is not set (put it in the environment or in .env)"
    )


def test_a_wrong_secret_is_one_line_exit_2_and_never_printed(invoke: Cli) -> None:
    wrong = "cs_" + "0" * 40
    outcome = invoke("sync", "orders", WOO_CONSUMER_SECRET=wrong)
    assert outcome.code == 2
    line = outcome.one_error_line()
    assert "WOO_CONSUMER_SECRET" in line or "signature" in line
    assert wrong not in outcome.stderr + outcome.stdout
    assert invoke.env["WOO_CONSUMER_KEY"] not in outcome.stderr + outcome.stdout


def test_an_unreachable_shop_is_exit_1_and_keeps_the_cursor(invoke: Cli) -> None:
    outcome = invoke("sync", "orders", WOO_URL=f"http://127.0.0.1:{free_port()}")
    assert outcome.code == 1
    assert "nothing was lost; the cursor was kept" in outcome.one_error_line()


def test_html_instead_of_json_is_a_configuration_error(invoke: Cli, sandbox: Sandbox) -> None:
    sandbox.faults.html(1, path="/wc/v3/orders")
    outcome = invoke("sync", "orders")
    assert outcome.code == 2 and "HTML" in outcome.one_error_line()


def test_malformed_json_is_exit_1(invoke: Cli, sandbox: Sandbox) -> None:
    sandbox.faults.malformed_json(1, path="/wc/v3/orders")
    outcome = invoke("sync", "orders", "--json")
    assert outcome.code == 1 and outcome.stdout == ""
    assert "the cursor was kept" in outcome.one_error_line()


def test_doctor_all_good_exit_0(invoke: Cli) -> None:
    outcome = invoke("doctor")
    assert outcome.code == 0, outcome.stdout
    lines = outcome.stdout.strip().splitlines()
    assert all(line.startswith("ok    ") for line in lines)
    checks = [line.split(":")[0].split()[1] for line in lines]
    assert checks[:3] == ["shop.url", "shop.credentials", "shop.filters"]
    assert "shop.customers" in checks and "area.credentials" in checks


def test_doctor_names_a_wrong_key_and_a_wrong_url(invoke: Cli) -> None:
    wrong_key = invoke("doctor", WOO_CONSUMER_KEY="ck_" + "1" * 40)
    assert wrong_key.code == 1 and wrong_key.one_error_line() == "error: 1 of 5 checks failed"
    assert "FAIL  shop.credentials: WooCommerce does not know this consumer key" in (
        wrong_key.stdout
    )
    wrong_url = invoke("doctor", WOO_URL=f"http://127.0.0.1:{free_port()}")
    assert wrong_url.code == 1
    assert "FAIL  shop.url: WooCommerce: cannot connect to 127.0.0.1" in wrong_url.stdout
    assert "1" * 40 not in wrong_key.stdout and "Traceback" not in wrong_key.stdout


def test_doctor_names_html_instead_of_json(invoke: Cli, sandbox: Sandbox) -> None:
    sandbox.faults.html(1, path="/")
    outcome = invoke("doctor")
    assert outcome.code == 1
    assert "FAIL  shop.url:" in outcome.stdout and "HTML" in outcome.stdout


def test_doctor_reports_missing_settings_as_findings(invoke: Cli) -> None:
    outcome = invoke("doctor", WOO_CONSUMER_SECRET="", WP_USERNAME="")
    assert outcome.code == 2  # configuration errors
    assert "FAIL  shop.settings: WOO_CONSUMER_SECRET is not set" in outcome.stdout
    assert "FAIL  area.settings: WP_USERNAME is not set" in outcome.stdout


def test_as_a_real_subprocess(invoke: Cli) -> None:
    ok = invoke.subprocess("sync", "orders", "--json")
    assert ok.code == 0, ok.stderr
    assert list(ok.json()) == ORDER_KEYS
    secret = invoke.env["WOO_CONSUMER_SECRET"]
    refused = invoke.subprocess("sync", "orders", WOO_CONSUMER_KEY="ck_" + "2" * 40)
    assert refused.code == 2
    refused.one_error_line()
    assert secret not in refused.stderr and "2" * 40 not in refused.stderr
    doctor = invoke.subprocess("doctor")
    assert doctor.code == 0, doctor.stdout + doctor.stderr


def test_progress_bar_only_on_a_terminal_and_never_with_json(invoke: Cli) -> None:
    # FORCE_COLOR makes rich treat the captured stderr as a terminal
    shown = invoke("sync", "orders", "--full", FORCE_COLOR="1", TTY_COMPATIBLE="1")
    assert shown.code == 0 and "orders" in shown.stderr and "━" in shown.stderr
    quiet = invoke("sync", "orders", "--full", "--json", FORCE_COLOR="1", TTY_COMPATIBLE="1")
    assert quiet.code == 0 and quiet.stderr == "" and list(quiet.json()) == ORDER_KEYS
