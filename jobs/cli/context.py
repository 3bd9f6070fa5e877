"""What every command shares: settings and the database, opened lazily, and the error boundary."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, TypeVar

import click

from config import ConfigError, Settings, load_settings
from ledger.db_errors import DatabaseError

if TYPE_CHECKING:  # ledger.db loads SQLAlchemy: only the commands that use it pay for it
    from ledger.db import Database

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class SupportsClose(Protocol):
    def close(self) -> None: ...


Closable = TypeVar("Closable", bound=SupportsClose)


class UserFacingError(Exception):
    """A failure to report as one line. ``exit_code`` is 1 (runtime) or 2 (usage/config)."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class AppContext:
    """Lazily loaded settings and database for one CLI invocation."""

    def __init__(self, env_file: str = ".env") -> None:
        self.env_file = env_file
        self._settings: Settings | None = None
        self._database: Database | None = None
        self._resources: list[SupportsClose] = []

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(dotenv_path=self.env_file)
        return self._settings

    @property
    def database(self) -> Database:
        """The ledger database, opened (and created or migrated) on first use, closed on exit."""
        if self._database is None:
            from ledger.db import open_database

            self._database = self.keep(open_database(self.settings.database_url))
        return self._database

    def keep(self, resource: Closable) -> Closable:
        """Close ``resource`` when the command ends; returns it, for ``x = app.keep(open_x())``."""
        self._resources.append(resource)
        return resource

    def close(self) -> None:
        self._database = None
        while self._resources:
            self._resources.pop().close()


def run_cli(group: click.Group) -> int:
    """Run ``group`` and translate every known failure into one line and an exit code."""
    try:
        # Without standalone mode, click returns the code of ``ctx.exit(code)`` instead of exiting.
        result = group.main(standalone_mode=False, prog_name="assist-sync")
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"configuration error: {problem}", err=True)
        return EXIT_USAGE
    except UserFacingError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except DatabaseError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_FAILURE
    if isinstance(result, int) and not isinstance(result, bool):
        return result
    return EXIT_OK
