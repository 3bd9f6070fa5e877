"""A click group whose commands are imported only when one of them is about to run.

The command modules pull in SQLAlchemy, Alembic, APScheduler, WeasyPrint and the sandbox; loading
them all made ``assist-sync --help`` take a second. This follows click's "lazily loading
subcommands" pattern, with one addition: the group's ``--help`` lists commands from a table of
their one-line summaries, so listing them imports nothing (``tests/cli/test_lazy_commands.py``
checks the table against the real commands).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where command ``name`` lives and its summary for ``--help``.

    ``module`` exposes ``register(group)``, which adds this command (and maybe others) to the
    group. ``summary`` is the first paragraph of the command's help, on one line.
    """

    module: str
    summary: str


class LazyGroup(click.Group):
    """A group that imports a command's module the first time that command is looked up."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, importing its module on first use (None: no such command).

        Raises RuntimeError when the table names a module that does not register the command:
        a programming error, never a user one.
        """
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module = self.lazy_commands[cmd_name].module
            importlib.import_module(module).register(self)
            if cmd_name not in self.commands:
                raise RuntimeError(f"{module}.register() did not add the command {cmd_name!r}")
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands like click does, without importing the ones not loaded yet."""
        names = [name for name in self.list_commands(ctx) if self._listed(name)]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.summary_for(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def summary_for(self, name: str, limit: int) -> str:
        """The summary of ``name`` shortened to ``limit`` characters, as click would show it."""
        command = self.commands.get(name)
        if command is None:  # a stand-in that shortens the summary the way click does
            command = click.Command(name, help=self.lazy_commands[name].summary)
        return command.get_short_help_str(limit)

    def _listed(self, name: str) -> bool:
        command = self.commands.get(name)
        return command is None or not command.hidden
