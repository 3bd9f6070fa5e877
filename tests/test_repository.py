"""The repository speaks of itself only: no file cites a document that lives outside it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Documents of the team's workspace, never shipped with the project: docs/design.md says it all.
OUTSIDE = re.compile(
    r"DESIGN\.md|SYNC-PITFALLS|API-CONTRACT|STYLE\.md|WORDPRESS-IN-CI|CONTAINER-BUILD"
    r"|/work/|\.\./shared/|shared capture"
)
# The vendored shop kit keeps its own README, as its authors wrote it.
VENDORED = ("tests/realshop/kit/",)


def test_no_file_cites_a_document_outside_the_repository() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    found = []
    for name in files:
        path = ROOT / name
        skipped = name.startswith(VENDORED) or path.suffix in {".xz", ".png", ".pdf"}
        if skipped or not path.is_file() or path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_the_design_document_names_what_the_code_cites() -> None:
    design = (ROOT / "docs" / "design.md").read_text()
    for section in ("## 2. Business rules", "## 3. Architecture", "## 4. Sync protocol"):
        assert section in design
    cited = set()
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts:
            continue
        cited.update(re.findall(r"docs/design\.md §(\d+(?:\.\d+)?)", path.read_text()))
    assert cited
    for number in cited:
        heading = "## " if "." not in number else "### "
        assert f"{heading}{number}" in design, f"docs/design.md has no section {number}"
