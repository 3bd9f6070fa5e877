"""The command line loads a command's module only when that command runs."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import jobs.cli
from jobs.cli import COMMAND_MODULES, COMMANDS, cli
from jobs.cli.lazy import LazyGroup

HEAVY = ("sqlalchemy", "alembic", "weasyprint", "apscheduler", "sandbox", "rich", "requests")
PROBE = """
import json, sys
sys.argv = ["assist-sync", *sys.argv[1:]]
from jobs.cli import cli
from jobs.cli.context import run_cli
code = run_cli(cli)
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def probe(*args: str) -> dict[str, object]:
    """Run the CLI in a fresh interpreter; its exit code and the heavy packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("no-such-command",)])
def test_help_version_and_typos_import_no_heavy_package(args: tuple[str, ...]) -> None:
    result = probe(*args)
    assert result["heavy"] == []
    assert result["code"] == (2 if args == ("no-such-command",) else 0)


def test_a_sandbox_command_help_loads_only_its_own_module() -> None:
    result = probe("sandbox", "--help")
    assert result["code"] == 0
    assert "sqlalchemy" not in result["heavy"] and "weasyprint" not in result["heavy"]


def command_modules() -> list[str]:
    """The modules of jobs/cli that register commands (they define ``register``)."""
    folder = Path(jobs.cli.__file__).parent
    return sorted(
        f"jobs.cli.{path.stem}"
        for path in folder.glob("*.py")
        if "\ndef register(" in path.read_text(encoding="utf-8")
    )


def test_every_module_that_registers_commands_is_in_the_table() -> None:
    assert command_modules() == sorted(COMMAND_MODULES)  # else: the next test says what to add


def real_commands() -> dict[str, tuple[str, click.Command]]:
    """Every command the modules register, by name: (module, command)."""
    found: dict[str, tuple[str, click.Command]] = {}
    for module in command_modules():
        group = click.Group()
        importlib.import_module(module).register(group)
        found.update({name: (module, command) for name, command in group.commands.items()})
    return found


def test_the_table_lists_every_command_in_the_module_that_registers_it() -> None:
    real = real_commands()
    missing = [
        f'"{name}": LazyCommand("{module}", "{first_paragraph(command)}")'
        for name, (module, command) in sorted(real.items())
        if name not in COMMANDS
    ]
    assert missing == [], "add to COMMANDS in jobs/cli/__init__.py: " + ", ".join(missing)
    assert {name: module for name, (module, _) in real.items()} == {
        name: lazy.module for name, lazy in COMMANDS.items()
    }


def first_paragraph(command: click.Command) -> str:
    return " ".join((command.help or "").split("\n\n")[0].split())


@pytest.mark.parametrize("limit", [30, 45, 70, 200])
def test_each_summary_is_the_commands_own_short_help(limit: int) -> None:
    group = LazyGroup(lazy_commands=COMMANDS)  # nothing loaded: every summary from the table
    for name, (_, command) in real_commands().items():
        assert group.summary_for(name, limit) == command.get_short_help_str(limit)


def test_a_lazily_loaded_command_runs_and_shows_its_help() -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "--help"])
    assert result.exit_code == 0, result.output
    assert "Create the database or migrate it" in result.output
