"""Tables keep e-mail addresses whole: piped to a file, on a narrow terminal, on a tiny one."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest
from rich.console import Console

from jobs.cli import tables
from ledger.db import open_database
from ledger.store import LedgerStore
from tests.env_file import empty_env_file

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = ROOT / ".venv" / "bin" / "assist-sync"
EMAIL = "claire.dubois-martin@agence-exemple-de-paris.fr"
HEADERS = ("Client", "E-mail", "Name", "Remaining", "Uncovered", "Open lots", "As of")


def column(output: str, index: int) -> list[str]:
    """The text of column ``index`` (0 = first) of each body line of a rich table."""
    body = output.split("┩", 1)[1]
    return [
        line.split("│")[index + 1].strip() for line in body.splitlines() if line.startswith("│")
    ]


def clients_output(tmp_path: Path, columns: int | None) -> str:
    """``assist-sync clients`` piped (``columns`` None) or on a terminal that wide."""
    database = tmp_path / "ledger.sqlite3"
    db = open_database(f"sqlite:///{database}")
    with db.transaction() as session:
        LedgerStore(session).ensure_client(7, EMAIL, "Claire Dubois-Martin")
    db.close()
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env.update(ASSIST_DATABASE_URL=f"sqlite:///{database}", NO_COLOR="1", TERM="xterm")
    command = [str(EXECUTABLE), "--env-file", empty_env_file(tmp_path), "clients"]
    if columns is None:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(command, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;]*m", "", text)  # bold headers


def test_piped_to_a_file_the_e_mail_is_whole_on_one_line(tmp_path: Path) -> None:
    output = clients_output(tmp_path, None)
    assert column(output, 1) == [EMAIL]
    assert "…" not in output


def test_on_a_narrow_terminal_the_e_mail_stays_on_one_line_and_the_rest_wraps(
    tmp_path: Path,
) -> None:
    output = clients_output(tmp_path, 100)
    assert max(len(line) for line in output.splitlines()) <= 100
    assert column(output, 1)[0] == EMAIL
    assert "…" not in output
    # The other columns wrapped onto more lines, every character kept.
    assert "".join(column(output, 2)) == "ClaireDubois-Martin"


def test_on_a_tiny_terminal_the_e_mail_folds_but_loses_nothing(tmp_path: Path) -> None:
    output = clients_output(tmp_path, 50)
    assert max(len(line) for line in output.splitlines()) <= 50
    assert "".join(column(output, 1)) == EMAIL
    assert "…" not in output


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_every_cell_keeps_every_character_at_any_width(width: int) -> None:
    rows = [
        ("12", EMAIL, "Claire Dubois-Martin", "2 h 15 min", "0 min", "2", "03/12/2026 14:05"),
        ("3", "bob@example.fr", "Bob", "10 h", "1 h 5 min", "1", "never"),
    ]
    out = Console(width=width, file=io.StringIO(), highlight=False)
    out.print(tables.table(out, HEADERS, rows))
    output = out.file.getvalue()  # type: ignore[attr-defined]
    assert "…" not in output
    whole = [line for line in column(output, 1) if line]
    if width >= 100:
        assert whole == [EMAIL, "bob@example.fr"]
    else:
        assert "".join(whole) == EMAIL + "bob@example.fr"
