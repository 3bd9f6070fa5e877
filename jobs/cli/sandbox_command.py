"""Commands of this module are registered on the ``assist-sync`` group."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to ``group``."""
