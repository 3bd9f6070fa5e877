"""The one error type of the configuration layer: a list of problems, one actionable line each."""

from __future__ import annotations

from collections.abc import Iterable


class ConfigError(Exception):
    """Configuration is unusable. ``problems`` holds one line per mistake found.

    The CLI prints each line and exits with code 2; no traceback is ever shown.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))
