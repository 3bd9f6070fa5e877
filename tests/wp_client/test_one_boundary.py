"""HTTP leaves the daemon through ``wp_client`` only, so its limits and typed errors hold for all.

Outside ``wp_client``, only ``jobs.deadline`` may name ``requests`` (its session subclass is what
``HttpClient`` is given for a run); no production module talks HTTP by another road, and the
``woocommerce`` package is a test dependency (an independent OAuth signer), never imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "ledger", "sync", "jobs", "wp_client")
HTTP_MODULES = ("requests", "urllib3", "http.client", "urllib.request", "httpx", "aiohttp")
ALLOWED_OUTSIDE = {"jobs/deadline.py"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def talks_http(name: str) -> bool:
    return any(name == m or name.startswith(f"{m}.") for m in HTTP_MODULES)


def test_only_wp_client_talks_http_and_nothing_imports_woocommerce() -> None:
    outside: dict[str, set[str]] = {}
    woocommerce: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            names = imported(path)
            if any(n == "woocommerce" or n.startswith("woocommerce.") for n in names):
                woocommerce.append(where)
            http = {n for n in names if talks_http(n)}
            if http and package != "wp_client" and where not in ALLOWED_OUTSIDE:
                outside[where] = http
    assert outside == {}
    assert woocommerce == []
    pyproject = (ROOT / "pyproject.toml").read_text()
    dependencies = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "woocommerce" not in dependencies
