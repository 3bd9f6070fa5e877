"""A remote's words reach messages and logs tamed: one line, no control character, bounded.

WordPress/WooCommerce error codes and messages, parameter details, plain-text bodies and
redirect targets are quoted in our errors; a remote that puts a newline and a fake log line in
them, or ANSI escapes, must not forge a line of our log nor colour an admin's terminal.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
import responses

from tests.env_file import empty_env_file
from tests.jobs.processes import assist_sync
from tests.wp_client.conftest import API, KEY, SECRET
from tests.wp_client.loopback import LoopbackServer
from wp_client.bodies import safe_line
from wp_client.errors import RemoteError
from wp_client.woo import WooClient

FORGED = "Sorry.\n2026-12-03 ERROR forged line\r\n\x1b[31mred\x1b[0m \u202egnp.exe"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e]")
ORDERS = f"{API}/orders"


def tame(exc: BaseException) -> str:
    text = str(exc)
    assert not CONTROL.search(text), repr(text)
    assert "\n2026-12-03" not in text and len(text) < 1000
    return text


def first_page_error(woo: WooClient) -> str:
    with pytest.raises(RemoteError) as caught:
        next(woo.iter_order_pages(modified_after=None, modified_before=None))
    return tame(caught.value)


def test_safe_line_collapses_whitespace_escapes_controls_and_bounds() -> None:
    assert safe_line(FORGED, 200) == (
        "Sorry. 2026-12-03 ERROR forged line \\x1b[31mred\\x1b[0m \\u202egnp.exe"
    )
    assert safe_line("a" * 50, 10) == "aaaaaaaaa…"
    assert safe_line("\x00\x07\x7f\x85\u200b\ufeff", 80) == "\\x00\\x07\\x7f \\u200b\\ufeff"


@pytest.mark.parametrize("status", [400, 401, 403, 500])
def test_an_error_message_and_code_cannot_forge_a_line(
    rsps: responses.RequestsMock, woo: WooClient, status: int
) -> None:
    code = "woocommerce_rest_authentication_error\n2026-12-03 ERROR code \x1b[2J"
    rsps.add("GET", ORDERS, json={"code": code, "message": FORGED}, status=status)
    text = first_page_error(woo)
    assert "2026-12-03 ERROR forged line \\x1b[31mred" in text or status >= 500


def test_invalid_parameter_details_cannot_forge_a_line(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    body = {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): status",
        "data": {"params": {"status\n2026-12-03 ERROR p": FORGED}},
    }
    rsps.add("GET", ORDERS, json=body, status=400)
    assert "(invalid: status 2026-12-03 ERROR p: Sorry." in first_page_error(woo)


def test_a_plain_text_body_cannot_forge_a_line(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    rsps.add("GET", ORDERS, body=FORGED, status=200, content_type="text/plain")
    assert "malformed JSON" in first_page_error(woo)


def test_a_redirect_target_cannot_forge_a_line(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    rsps.add("GET", ORDERS, status=302, headers={"Location": "https://evil.example/\x1b[31m"})
    assert "https://evil.example/\\x1b[31m" in first_page_error(woo)
    rsps.replace("GET", ORDERS, status=302, headers={"Location": "http://[::1/\x1b[31m"})
    assert "an invalid address ('http://[::1/\\\\x1b[31m')" in first_page_error(woo)


def forging_shop(conn: socket.socket, request: bytes) -> None:
    body = json.dumps({"code": "woocommerce_rest_cannot_view", "message": FORGED}).encode()
    conn.sendall(
        b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
    )


@pytest.mark.timeout(120)
@pytest.mark.parametrize("command", [["sync", "orders"], ["run", "--once"]], ids=["cli", "daemon"])
def test_the_command_line_and_the_daemon_log_keep_one_line(
    command: list[str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSIST_", "WOO_", "WP_"))}
    with LoopbackServer(forging_shop) as shop:
        env.update(
            WOO_URL=shop.url,
            WOO_CONSUMER_KEY=KEY,
            WOO_CONSUMER_SECRET=SECRET,
            ASSIST_DATABASE_URL=f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
            ASSIST_LOG_FORMAT="text",
        )
        done = subprocess.run(
            [*assist_sync(), "--env-file", empty_env_file(tmp_path), *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert shop.requests, done.stderr
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output
    assert "forged line \\x1b[31mred" in output, output
    assert not CONTROL.search(output.replace("\n", "")), repr(output)
    for line in output.splitlines():
        assert not line.startswith("2026-12-03 ERROR"), output
