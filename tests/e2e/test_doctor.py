"""``assist-sync doctor`` (the installed executable) against the real shops, http and https.

It passes with the settings an agency would write — the read key is enough, the daemon never
writes to WooCommerce — and each mistake gives exactly one FAIL line that names it, with exit
1 (a check failed) or 2 (a setting is missing or unusable).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.harness import Outcome
from tests.e2e.executable import assist_sync, env_of
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress

WRONG_KEY = "ck_" + "0" * 40
WRONG_SECRET = "cs_" + "0" * 40


def settings(site: WordPressSite, **changes: str) -> dict[str, str]:
    env = env_of([*site.shop_env_lines(), *site.env_lines()])
    env.update(changes)
    return {k: v for k, v in env.items() if v}


def doctor(env: dict[str, str], tmp_path: Path) -> Outcome:
    return assist_sync(env, "doctor", cwd=tmp_path, timeout=120)


def the_failure(outcome: Outcome) -> str:
    """The one FAIL line (asserted), without its ``FAIL  `` prefix; every other line is ok."""
    lines = outcome.stdout.strip().splitlines()
    failed = [line for line in lines if not line.startswith("ok    ")]
    assert len(failed) == 1, outcome.stdout
    assert failed[0].startswith("FAIL  ")
    assert "Traceback" not in outcome.stdout + outcome.stderr
    return failed[0].removeprefix("FAIL  ")


def test_doctor_passes_on_the_real_shop(real_site: WordPressSite, tmp_path: Path) -> None:
    outcome = doctor(settings(real_site), tmp_path)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    lines = outcome.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok    shop.url",
        "ok    shop.credentials",
        "ok    shop.filters",
        "ok    shop.customers",
        "ok    shop.products",
        "ok    area.url",
        "ok    area.credentials",
        "ok    area.routes",
    ]
    how = "OAuth 1.0a over http" if real_site.shop.ca is None else "Basic over https"
    assert f"consumer key accepted ({how})" in outcome.stdout
    assert "ASSIST-5H /product/pack-assistance-5h/" in outcome.stdout
    assert outcome.stderr == ""


def test_a_wrong_consumer_key(real_site: WordPressSite, tmp_path: Path) -> None:
    outcome = doctor(settings(real_site, WOO_CONSUMER_KEY=WRONG_KEY), tmp_path)
    assert outcome.code == 1
    assert the_failure(outcome).startswith(
        "shop.credentials: WooCommerce does not know this consumer key"
    )
    assert "check WOO_CONSUMER_KEY" in outcome.stdout and WRONG_KEY not in outcome.stdout


def test_a_wrong_consumer_secret(real_site: WordPressSite, tmp_path: Path) -> None:
    outcome = doctor(settings(real_site, WOO_CONSUMER_SECRET=WRONG_SECRET), tmp_path)
    assert outcome.code == 1
    failure = the_failure(outcome)
    assert failure.startswith("shop.credentials: WooCommerce rejected the consumer secret")
    assert failure.endswith("check WOO_CONSUMER_SECRET")


def test_a_client_area_user_without_assist_sync(real_site: WordPressSite, tmp_path: Path) -> None:
    outsider = real_site.outsider  # a customer with an Application Password
    env = settings(
        real_site, WP_USERNAME=outsider.login, WP_APP_PASSWORD=outsider.app_password or ""
    )
    outcome = doctor(env, tmp_path)
    assert outcome.code == 1
    assert the_failure(outcome) == (
        f"area.credentials: authenticated as {outsider.login}, who lacks the assist_sync "
        "capability — use an administrator or grant the capability"
    )


def test_a_wrong_application_password(real_site: WordPressSite, tmp_path: Path) -> None:
    outcome = doctor(settings(real_site, WP_APP_PASSWORD="abcd efgh ijkl mnop qrst uvwx"), tmp_path)
    assert outcome.code == 1
    failure = the_failure(outcome)
    assert failure.startswith("area.credentials: WordPress refused the credentials (401 ")
    assert "check WP_USERNAME and WP_APP_PASSWORD" in failure


def test_plain_http_to_a_remote_host_is_a_configuration_error(
    wordpress: WordPressSite, tmp_path: Path
) -> None:
    outcome = doctor(settings(wordpress, WOO_URL="http://192.0.2.10"), tmp_path)
    assert outcome.code == 2 and outcome.stdout == ""
    assert outcome.one_error_line() == (
        "configuration error: WOO_URL uses plain http to a remote host: use https, or set "
        "ASSIST_ALLOW_INSECURE_HTTP=1 if you really mean it"
    )


def test_missing_settings_exit_2(wordpress: WordPressSite, tmp_path: Path) -> None:
    outcome = doctor(settings(wordpress, WOO_CONSUMER_SECRET=""), tmp_path)
    assert outcome.code == 2
    assert the_failure(outcome).startswith("shop.settings: WOO_CONSUMER_SECRET is not set")


def test_an_https_shop_whose_ca_is_not_trusted(
    wordpress_tls: WordPressSite, tmp_path: Path
) -> None:
    shop_only = env_of(wordpress_tls.shop_env_lines())
    del shop_only["WOO_CA_BUNDLE"]
    outcome = doctor(shop_only, tmp_path)
    assert outcome.code == 1
    assert the_failure(outcome) == (
        "shop.url: WooCommerce: TLS verification failed for 127.0.0.1 — set WOO_CA_BUNDLE to "
        "your CA file if it uses its own CA"
    )


def test_a_shop_address_other_than_the_sites_own(real_site: WordPressSite, tmp_path: Path) -> None:
    """``localhost`` reaches the same server, but WordPress calls itself 127.0.0.1: OAuth
    signatures and redirects would not match."""
    own = real_site.shop.env["WOO_URL"]
    elsewhere = own.replace("127.0.0.1", "localhost")
    # the client area (WP_URL) is then "another host": it trusts the CA through WP_CA_BUNDLE
    outcome = doctor(
        settings(real_site, WOO_URL=elsewhere, WP_CA_BUNDLE=real_site.shop.ca or ""), tmp_path
    )
    assert outcome.code == 1
    assert the_failure(outcome) == (
        f"shop.url: the site calls itself {own} but WOO_URL is {elsewhere} — set WOO_URL to the "
        "site's own address (signatures and redirects depend on it)"
    )


def test_a_client_area_on_another_host_with_its_own_ca(
    wordpress_tls: WordPressSite, tmp_path: Path
) -> None:
    """WOO_CA_BUNDLE serves the shop's host only (a CA file replaces the system CAs): a client
    area elsewhere is trusted through WP_CA_BUNDLE, which the failure names."""
    elsewhere = wordpress_tls.url.replace("127.0.0.1", "localhost")  # its certificate says so too
    untrusted = doctor(settings(wordpress_tls, WP_URL=elsewhere), tmp_path)
    assert untrusted.code == 1
    assert the_failure(untrusted) == (
        "area.url: The client area: TLS verification failed for localhost — set WP_CA_BUNDLE to "
        "your CA file if it uses its own CA"
    )
    ca = wordpress_tls.shop.ca or ""
    trusted = doctor(settings(wordpress_tls, WP_URL=elsewhere, WP_CA_BUNDLE=ca), tmp_path)
    assert the_failure(trusted).startswith(  # TLS passed: the next thing doctor sees
        f"area.url: the site calls itself {wordpress_tls.url} but WP_URL is {elsewhere}"
    )
