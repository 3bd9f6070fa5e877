"""An empty ``.env`` file for commands run by tests: no setting comes from the developer's own."""

from __future__ import annotations

from pathlib import Path


def empty_env_file(folder: Path) -> str:
    """Create ``folder/empty.env`` (empty) and return its path, for ``--env-file``."""
    path = folder / "empty.env"
    path.touch()
    return str(path)
