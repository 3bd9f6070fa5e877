"""Tables for a terminal of any width, or piped to a file: e-mail addresses are never cut.

Left to itself, rich shrinks the widest column first and ends its text with "…": an e-mail
address, the widest cell of a clients table, came out as "claire.d…". Here the e-mail column
stays on one line while the console leaves every other column ``MIN_CELL`` characters; those
columns wrap (a word too long is folded, never cut). On a console too narrow even for that, the
addresses fold too: every character is still there.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Column, Table

MIN_CELL = 4
CELL_FRAME = 3  # a border and two spaces of padding per column


def table(
    console: Console,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    whole: str = "E-mail",
) -> Table:
    """A table of ``rows`` under ``headers`` for ``console``, the column ``whole`` kept whole."""
    at = headers.index(whole)
    longest = max(
        (cell_len(line) for row in rows for line in row[at].splitlines()), default=len(whole)
    )
    needed = longest + (len(headers) - 1) * MIN_CELL + CELL_FRAME * len(headers) + 1
    one_line = console.width >= needed
    columns = [
        Column(header, no_wrap=one_line and index == at, overflow="fold")
        for index, header in enumerate(headers)
    ]
    result = Table(*columns)
    for row in rows:
        result.add_row(*row)
    return result
