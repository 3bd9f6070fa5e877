"""``assist-sync sandbox`` as a real process: env lines, serving, clean stop, taken port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests
from woocommerce import API

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from jobs.cli import main; main()"]


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "sandbox", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def read_env(process: subprocess.Popen[str], count: int) -> dict[str, str]:
    assert process.stdout is not None
    env = {}
    for _ in range(count):
        line = process.stdout.readline().strip()
        key, _, value = line.partition("=")
        env[key] = value
    return env


def test_prints_env_lines_serves_and_stops_on_sigterm() -> None:
    process = start("--seed", "4", "--clients", "5", "--orders", "12")
    try:
        env = read_env(process, 6)
        assert list(env) == [
            "WOO_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET", "WP_URL", "WP_USERNAME",
            "WP_APP_PASSWORD",
        ]  # fmt: skip
        assert env["WOO_URL"].startswith("http://127.0.0.1:") and env["WP_URL"] == env["WOO_URL"]
        api = API(env["WOO_URL"], env["WOO_CONSUMER_KEY"], env["WOO_CONSUMER_SECRET"],
                  version="wc/v3", timeout=10)  # fmt: skip
        response = api.get("orders", params={"per_page": 100})
        assert response.status_code == 200 and response.headers["X-WP-Total"] != "0"
        area = requests.get(
            f"{env['WP_URL']}/wp-json/assist/v1/tickets",
            auth=(env["WP_USERNAME"], env["WP_APP_PASSWORD"]),
            timeout=10,
        )
        assert area.status_code == 200
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigint_also_stops_cleanly() -> None:
    process = start("--orders", "3", "--clients", "2", "--no-client-area")
    try:
        env = read_env(process, 3)
        assert set(env) == {"WOO_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"}
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_taken_port_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*CLI, "sandbox", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use; pick another with --port"
    ]
