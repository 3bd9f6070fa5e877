"""French names of what clients read: packs, kinds of work, lot statuses.

Shared by warnings, e-mails, reports and account pages so that a pack is called the same thing
everywhere ("Pack Assistance 3h").
"""

from __future__ import annotations

from typing import Protocol

from config import Catalog
from ledger.domain import EntryKind, LotSource, LotStatus

KIND_LABELS: dict[str, str] = {
    EntryKind.PRODUCTION: "Production",
    EntryKind.CORRECTION: "Correction",
    EntryKind.TRAINING: "Formation",
    EntryKind.EXCHANGE: "Échange",
    EntryKind.ADJUSTMENT: "Ajustement",
}

STATUS_LABELS: dict[str, str] = {
    LotStatus.OPEN: "en cours",
    LotStatus.USED_UP: "épuisé",
    LotStatus.EXPIRED: "expiré",
    LotStatus.VOIDED: "annulé",
}


def pack_label(sku: str | None, catalog: Catalog, source: LotSource = LotSource.ORDER_LINE) -> str:
    """``"ASSIST-3H"`` → ``"Pack Assistance 3h"``; an admin credit → ``"Crédit ajouté"``.

    A SKU the catalog no longer lists keeps its SKU as its name.
    """
    if source is LotSource.ADJUSTMENT:
        return "Crédit ajouté"
    pack = catalog.pack(sku)
    if pack is None:
        return f"Pack {sku}" if sku else "Pack"
    return f"Pack Assistance {pack.hours}h"


class PackLine(Protocol):
    """What names a lot: a ledger ``Lot`` or a cached ``LotRow``."""

    @property
    def sku(self) -> str | None: ...
    @property
    def source(self) -> LotSource: ...
    @property
    def quantity(self) -> int: ...


def lot_label(lot: PackLine, catalog: Catalog) -> str:
    """The name of one lot, which is one order line: ``"Pack Assistance 10h"``, and
    ``"2 × Pack Assistance 10h"`` for a line of two packs (its minutes are both packs')."""
    label = pack_label(lot.sku, catalog, lot.source)
    if lot.source is LotSource.ORDER_LINE and lot.quantity > 1:
        return f"{lot.quantity} × {label}"
    return label


def kind_label(kind: str) -> str:
    """The French name of a kind of time entry (unknown kinds are shown as they are)."""
    return KIND_LABELS.get(kind, kind)


def status_label(status: str) -> str:
    """The French name of a lot status."""
    return STATUS_LABELS.get(status, status)
