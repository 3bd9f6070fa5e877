"""Reading a ``.env`` file strictly: a line python-dotenv cannot parse is a problem, not a skip.

python-dotenv on its own logs a warning and drops such a line, so a setting with a typo (a
missing ``=``, an unclosed quote) would silently fall back to its default.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream


def read_env_file(path: str | Path) -> tuple[dict[str, str], list[str]]:
    """The values of the ``.env`` file at ``path`` and one line per problem found in it.

    A missing file gives no value and no problem (the file is optional). Values are
    interpolated like python-dotenv does (``${OTHER}``); names without a value are left out.
    """
    p = Path(path)
    if not p.is_file():
        return {}, []
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return {}, [f"{p}: not UTF-8 text (save the .env file as UTF-8)"]
    except OSError as exc:
        return {}, [f"{p}: cannot read it: {exc.strerror}"]
    problems: list[str] = []
    readable: list[str] = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            line, start = binding.original.line, first_word(binding.original.string)
            problems.append(f"{p} line {line}: cannot read {start!r}… (expected NAME=value)")
        else:
            readable.append(binding.original.string)
    # Only the lines that parse, so that python-dotenv has nothing left to warn about.
    values = dotenv_values(stream=io.StringIO("".join(readable)))
    return {name: value for name, value in values.items() if value is not None}, problems


def first_word(line: str, limit: int = 30) -> str:
    """The first word of a bad line, to find it by; never more, since the rest may be a secret."""
    words = re.split(r"[\s=:]", line.strip(), maxsplit=1)
    return words[0][:limit]
