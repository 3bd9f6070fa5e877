"""The ``assist-sync`` command line: one click group, commands registered from small modules.

Every user mistake ends as one line on stderr and an exit code: 0 success, 1 runtime failure,
2 usage or configuration error. No traceback reaches the user.

A command's module is imported only when that command runs (``jobs.cli.lazy``), so ``--help``
and the light commands do not pay for the heavy ones' imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jobs.cli.context import EXIT_USAGE, AppContext, UserFacingError, run_cli
from jobs.cli.lazy import LazyCommand, LazyGroup

_LEDGER = "jobs.cli.ledger_commands"
_SYNC = "jobs.cli.sync_commands"
_DAEMON = "jobs.cli.daemon_commands"
_REPORT = "jobs.cli.report_command"

# Each module exposes ``register(group)``; a new command gets a line here (or it is not found).
# A summary is the first paragraph of the command's help; tests/cli/test_lazy_commands.py fails,
# with the line to add, when a command is missing or its summary drifts from its help.
COMMANDS: dict[str, LazyCommand] = {
    "adjust": LazyCommand(
        _LEDGER, "Credit (N > 0) or debit (N < 0) a client's time, with a reason."
    ),
    "balance": LazyCommand(
        _LEDGER, "A client's remaining time and lots, recomputed now (expiry is current)."
    ),
    "clients": LazyCommand(
        _LEDGER, "Every client with remaining and uncovered time (as of its last recompute)."
    ),
    "db": LazyCommand(
        _LEDGER, "The ledger database named by ASSIST_DATABASE_URL (default ./assist-sync.sqlite3)."
    ),
    "demo": LazyCommand(
        _DAEMON,
        "A first look: the sandbox shop and client area, one full pass, a table of clients.",
    ),
    "doctor": LazyCommand(
        _SYNC,
        "Check the shop URL, credentials, permissions and pack products (and the client area).",
    ),
    "health": LazyCommand(
        "jobs.cli.health_command",
        "Exit 0 if the daemon's newest recorded run is recent enough and no run outlived its "
        "deadline, else 1 with one line.",
    ),
    "ledger": LazyCommand(
        _LEDGER, "A client's event log, oldest first: every change to the credit and its source."
    ),
    "report": LazyCommand(
        _REPORT,
        "Write the intervention report of CLIENT (WordPress user id or e-mail) as a PDF.",
    ),
    "run": LazyCommand(
        _DAEMON, "Run the scheduled jobs: orders, client area, accounts, sweep, reconciliation."
    ),
    "sandbox": LazyCommand(
        "jobs.cli.sandbox_command",
        "Serve a seeded sandbox shop and client area on loopback until Ctrl-C.",
    ),
    "status": LazyCommand(
        _LEDGER, "The database, sync cursors, the last run of each job and what the ledger holds."
    ),
    "sweep": LazyCommand(
        _REPORT,
        "Recompute every client now, e-mail the warnings not sent yet, upload end-of-mission "
        "reports (what the daemon does every ASSIST_SWEEP_INTERVAL seconds).",
    ),
    "sync": LazyCommand(
        _SYNC, "Run a sync now, by hand (the daemon runs the same jobs on its schedule)."
    ),
}
# Kept for callers that load every command module (e.g. to inspect the whole tree).
COMMAND_MODULES = tuple(dict.fromkeys(command.module for command in COMMANDS.values()))


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read settings from this file, which must exist (the environment wins over it). "
    "Default: ./.env when there is one.",
)
@click.version_option(package_name="assist-sync")
@click.pass_context
def cli(ctx: click.Context, env_file: str | None) -> None:
    """assist-sync: prepaid assistance packs, exact to the minute.

    Opens time credits from paid WooCommerce orders, deducts the time logged in the client
    area, and writes balances, warnings and reports back to each client's account.
    """
    if env_file is not None and not Path(env_file).is_file():
        # A named file that is not there would silently leave every setting at its default.
        raise UserFacingError(f"--env-file {env_file}: no such file", EXIT_USAGE)
    ctx.obj = AppContext(env_file=env_file or ".env")
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    sys.exit(run_cli(cli))
