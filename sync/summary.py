"""What every sync use case returns: a frozen summary that the CLI prints and runs record.

A summary names its public keys (``KEYS``, the ``--json`` contract); further fields are
details shown in the table and kept with the run, never part of the JSON contract.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar


@dataclass(frozen=True)
class SyncSummary:
    """Base of the summaries. Subclasses are frozen dataclasses that set ``KEYS`` and
    ``LABELS`` (field → label for the table, in display order)."""

    KEYS: ClassVar[tuple[str, ...]] = ()
    LABELS: ClassVar[dict[str, str]] = {}

    def as_dict(self) -> dict[str, int | float]:
        """The ``--json`` object: exactly ``KEYS``, in that order."""
        return {key: getattr(self, key) for key in self.KEYS}

    def details(self) -> dict[str, object]:
        """Every field (what a run record keeps)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the summary table, in display order."""
        out: list[tuple[str, str]] = []
        for name, label in self.LABELS.items():
            value = getattr(self, name)
            out.append((label, f"{value:.2f} s" if isinstance(value, float) else str(value)))
        return out
