"""The ``assist-sync`` command line: one click group, commands registered from small modules.

Every user mistake ends as one line on stderr and an exit code: 0 success, 1 runtime failure,
2 usage or configuration error. No traceback reaches the user.
"""

from __future__ import annotations

import importlib
import sys

import click

from jobs.cli.context import AppContext, run_cli

# Each module exposes ``register(group)``; the order is the order of ``--help``.
COMMAND_MODULES = (
    "jobs.cli.ledger_commands",
    "jobs.cli.sync_commands",
    "jobs.cli.daemon_commands",
    "jobs.cli.sandbox_command",
    "jobs.cli.report_command",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False),
    default=".env",
    show_default=True,
    help="Read settings from this file (the environment wins over it).",
)
@click.version_option(package_name="assist-sync")
@click.pass_context
def cli(ctx: click.Context, env_file: str) -> None:
    """assist-sync: prepaid assistance packs, exact to the minute.

    Opens time credits from paid WooCommerce orders, deducts the time logged in the client
    area, and writes balances, warnings and reports back to each client's account.
    """
    ctx.obj = AppContext(env_file=env_file)
    ctx.call_on_close(ctx.obj.close)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main() -> None:
    sys.exit(run_cli(cli))
