"""The leadership seam: of all the daemons pointed at one database, exactly one runs jobs.

A backend is a small class with three operations. ``try_acquire()`` never blocks: a follower
calls it every few seconds. ``check()`` is the leader's heartbeat: it answers False as soon as
leadership can no longer be trusted (connection lost, lock file replaced), and the daemon then
stops its jobs. ``release()`` gives leadership up; dying without calling it must also release it
(the operating system or the database server does), so a killed leader is replaced.
"""

from __future__ import annotations

import abc
import logging
from types import TracebackType

log = logging.getLogger(__name__)


class LeadershipError(Exception):
    """Leadership cannot be sought at all (unusable database URL, unwritable lock directory)."""


class Leadership(abc.ABC):
    """One daemon's claim to lead. Not thread-safe: the daemon's main loop alone drives it."""

    #: Human-readable description of the lock, without any secret (for logs).
    description: str = "leadership"

    @abc.abstractmethod
    def try_acquire(self) -> bool:
        """Take leadership if nobody holds it; True if this process now leads. Never blocks long."""

    @abc.abstractmethod
    def check(self) -> bool:
        """True while leadership is still held; False once it is lost (then call ``release``)."""

    @abc.abstractmethod
    def release(self) -> None:
        """Give leadership up (idempotent; safe to call when not leading or after a loss)."""

    @property
    @abc.abstractmethod
    def held(self) -> bool:
        """True if this process believes it leads (as of the last acquire/check)."""

    def __enter__(self) -> Leadership:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class AlwaysLeader(Leadership):
    """For a database only this process can see (SQLite in memory): it leads alone."""

    description = "private database (no lock needed)"

    def __init__(self) -> None:
        self._held = False

    def try_acquire(self) -> bool:
        self._held = True
        return True

    def check(self) -> bool:
        return self._held

    def release(self) -> None:
        self._held = False

    @property
    def held(self) -> bool:
        return self._held
