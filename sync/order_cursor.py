"""Where the incremental orders sync resumes: one small, explicit value saved with its rows.

A run reads the orders modified in ``(modified_after, modified_before)``, where
``modified_before`` is frozen at the start of the run. When the run has committed every page,
the next cursor is that frozen bound minus the overlap window — never "the newest date seen",
which would skip rows written during the run or in the same second (docs/design.md §4.1).
The overlap also absorbs a shop clock a little behind ours; re-read orders are idempotent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CURSOR_NAME = "orders"
_VERSION = 1


class CursorError(ValueError):
    """The stored cursor ``name`` cannot be read (hand-edited or from an unknown version)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class OrderCursor:
    """Orders modified after ``modified_after`` (aware UTC, whole seconds) are still to read."""

    modified_after: datetime

    def __post_init__(self) -> None:
        if self.modified_after.utcoffset() is None:
            raise ValueError("OrderCursor needs an aware datetime")

    @classmethod
    def after_run(cls, upper_bound: datetime, overlap_seconds: int) -> OrderCursor:
        """The cursor a successful run leaves: its frozen bound minus the overlap window."""
        return cls(whole_seconds(upper_bound) - timedelta(seconds=overlap_seconds))

    def encode(self) -> str:
        return json.dumps(
            {"v": _VERSION, "modified_after": self.modified_after.astimezone(UTC).isoformat()},
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: str | None, name: str = CURSOR_NAME) -> OrderCursor | None:
        """The cursor stored as ``text`` under ``name``; None when nothing was stored yet.

        Raises CursorError (naming ``name``) when ``text`` is not a cursor this version wrote.
        """
        if text is None:
            return None
        try:
            data = json.loads(text)
            if data.get("v") != _VERSION:
                raise CursorError(name, f"{name} cursor of unknown version: {text[:80]!r}")
            moment = datetime.fromisoformat(data["modified_after"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            if isinstance(exc, CursorError):
                raise
            raise CursorError(name, f"{name} cursor is not readable: {text[:80]!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return cls(moment.astimezone(UTC))


def whole_seconds(moment: datetime) -> datetime:
    """``moment`` in UTC, truncated to the second (the shop compares whole seconds)."""
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass aware UTC")
    return moment.astimezone(UTC).replace(microsecond=0)
