"""The container image, built and run for real with buildah (no Docker engine needed).

``scripts/build-image`` lints the Dockerfile, builds it on a Debian base made locally with
mmdebstrap (cached between runs), and checks inside the image, as its own user: not root,
``assist-sync --help``, ``db upgrade``, ``status``, ``demo`` and ``health``. Takes a few minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]


def buildah(*args: str) -> str:
    return subprocess.run(
        ["buildah", "--storage-driver", "vfs", *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_image_builds_and_runs_as_a_non_root_user() -> None:
    missing = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
    if missing:
        unavailable(f"{', '.join(missing)} not installed (apt-get install buildah mmdebstrap)")
    if os.geteuid() != 0:
        unavailable("building the image with buildah and mmdebstrap needs root")
    tag = f"localhost/assist-sync:test-{os.getpid()}"
    done = subprocess.run(
        [str(ROOT / "scripts" / "build-image"), "--tag", tag],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1100,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "user: assist (10001)" in output
    assert 'Cmd: ["assist-sync", "run"]' in output
    assert 'User: "10001:10001"' in output
    assert 'Volumes: {"/data": {}}' in output
    healthcheck = json.loads(output.split("Healthcheck: ", 1)[1].splitlines()[0])
    assert healthcheck["Test"] == ["CMD", "assist-sync", "health"]
    assert "healthy: last run" in output  # the HEALTHCHECK's command answered in the image
    assert "schema upgraded" in output
    # The demo ran inside the image, as its user: sandbox, full pass, table.
    for line in ("reconcile ok", "client_area ok", "sweep ok", "accounts ok"):
        assert line in output
    assert "Where to look next" in output
    assert "/data/assist-sync-demo.sqlite3" in output
    # Nothing left behind but the cached base: no working container, no built image.
    containers = buildah("containers", "--format", "{{.ImageName}}")
    assert tag not in containers
    images = buildah("images", "--format", "{{.Name}}:{{.Tag}}")
    assert tag not in images
