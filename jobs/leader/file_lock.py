"""Leadership on SQLite: an exclusive ``flock`` on a lock file beside the database file.

The lock belongs to this process's open file; when the process dies, however it dies, the kernel
drops it and the next follower that tries gets it. The file is never deleted (deleting a locked
file would let a second process lock a new file of the same name): ``check`` also makes sure the
path still names the very file we locked.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from jobs.leader.base import Leadership, LeadershipError

log = logging.getLogger(__name__)


def lock_path_for(database_file: str | Path) -> Path:
    """``/data/assist-sync.sqlite3`` → ``/data/assist-sync.sqlite3.leader.lock``."""
    path = Path(database_file)
    return path.with_name(path.name + ".leader.lock")


class FileLock(Leadership):
    """An exclusive, non-blocking ``fcntl.flock`` held for as long as this process leads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.description = f"lock file {self.path}"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return self.check()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise LeadershipError(f"cannot open the lock file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError as exc:
            os.close(fd)
            raise LeadershipError(f"cannot lock {self.path}: {exc.strerror}") from exc
        self._fd = fd
        if not self._same_file():
            # Replaced between our open and our lock: that file is not the one others lock.
            self.release()
            return False
        # Who leads, for a human looking at the file; the lock itself is what counts.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return True

    def check(self) -> bool:
        if self._fd is None:
            return False
        if not self._same_file():
            log.warning("%s was removed or replaced: leadership lost", self.path)
            self.release()
            return False
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _same_file(self) -> bool:
        assert self._fd is not None
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(self._fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)
