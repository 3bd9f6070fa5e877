"""Which warnings apply to a client right now (docs/design.md §2.6, §2.8): pure detection.

Give it a client's cached balance, tickets and the minutes already logged on each ticket; get
the warnings that apply at ``now``, each with a stable ``key`` so that it is sent once (the sweep
records keys it sent) and shown on the account page while it applies:

* ``overrun:<ticket>`` — an open ticket, not decided yet, whose work still to do (estimate minus
  deducted minutes already logged on it) exceeds the remaining balance. It offers the two
  choices: buy a new pack, or be billed at the hourly rate of the pack held (the unit rate when
  none is held). Once the client has decided, it no longer applies.
* ``low:<lot>`` — some time is left but less than the threshold. ``<lot>`` is the most recently
  opened lot still open: a new pack re-arms the warning, so a client who tops up and runs low
  again is warned again (and never twice for the same top-up).
* ``expiry30:<lot>`` / ``expiry7:<lot>`` — a pack expires within 30 / 7 days with time left. When
  the 7-day window is already reached only ``expiry7`` applies (no two mails at once).
* ``used_up:<lot>`` — a pack has no time left and has not expired yet (a pack used up long ago
  is history, not news).

Expiry and used-up warnings concern shop packs only; admin credits are not packs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from config import Catalog, Settings
from config.catalog import DEFAULT_CATALOG
from ledger.domain import LotSource, LotStatus, TimeEntry
from ledger.engine import deducted_minutes
from ledger.french import format_amount, format_duration, format_long_date
from ledger.records import ClientBalance, LotRow, TicketRecord
from sync.labels import pack_label

OPEN_TICKET_STATUSES = frozenset({"open", "in_progress"})
EXPIRY_WINDOWS = ((7, "expiry7"), (30, "expiry30"))  # narrowest first


class WarningKind(StrEnum):
    OVERRUN = "overrun"
    LOW_BALANCE = "low_balance"
    EXPIRY_30 = "expiry30"
    EXPIRY_7 = "expiry7"
    USED_UP = "used_up"


@dataclass(frozen=True)
class WarningOptions:
    """What detection needs from the configuration.

    ``product_urls`` maps a pack SKU to the page where it is bought: its product page as found in
    the shop (``sync.product_pages``), unless the catalog gives the pack a ``url`` (the agency
    chose it); a SKU with neither falls back to the shop's home page.
    """

    low_balance_minutes: int = 60
    catalog: Catalog = DEFAULT_CATALOG
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    rounding_minutes: int = 1
    shop_url: str | None = None
    product_urls: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, settings: Settings, product_urls: Mapping[str, str] | None = None
    ) -> WarningOptions:
        return cls(
            low_balance_minutes=settings.low_balance_minutes,
            catalog=settings.catalog,
            timezone=settings.timezone,
            rounding_minutes=settings.rounding_minutes,
            shop_url=settings.woo_url,
            product_urls={
                **(product_urls or {}),
                **{sku: pack.url for sku, pack in settings.catalog.packs.items() if pack.url},
            },
        )

    def buy_url(self, sku: str | None) -> str | None:
        if sku and sku in self.product_urls:
            return self.product_urls[sku]
        return f"{self.shop_url.rstrip('/')}/" if self.shop_url else None


@dataclass(frozen=True)
class ClientWarning:
    """One warning for one client. ``key`` is unique per client and stable across runs."""

    key: str
    kind: WarningKind
    client_id: int
    message: str
    remaining_minutes: int
    lot_id: str | None = None
    pack_label: str | None = None
    ticket_id: str | None = None
    ticket_title: str | None = None
    estimate_minutes: int | None = None
    expires_at: datetime | None = None
    hourly_rate: Decimal | None = None
    product_url: str | None = None

    def as_payload(self) -> dict[str, object]:
        """The JSON shape of ``docs/client-area-api.md`` (account ``warnings`` list)."""
        payload: dict[str, object] = {
            "key": self.key,
            "kind": self.kind.value,
            "message": self.message,
            "remaining_minutes": self.remaining_minutes,
        }
        if self.ticket_id is not None:
            payload["ticket_id"] = (
                int(self.ticket_id) if self.ticket_id.isdigit() else self.ticket_id
            )
            payload["estimate_minutes"] = self.estimate_minutes
        if self.lot_id is not None:
            payload["lot_id"] = self.lot_id
        if self.expires_at is not None:
            payload["expires_at"] = self.expires_at.strftime("%Y-%m-%dT%H:%M:%S")
        if self.hourly_rate is not None:
            payload["hourly_rate"] = f"{self.hourly_rate:.2f}"
        if self.product_url is not None:
            payload["product_url"] = self.product_url
        return payload


def logged_minutes_by_ticket(entries: Iterable[TimeEntry], rounding: int = 1) -> dict[str, int]:
    """Deducted minutes already logged on each ticket (exchange time is not deducted)."""
    logged: dict[str, int] = {}
    for entry in entries:
        if entry.ticket_id is not None:
            minutes = deducted_minutes(entry, rounding)
            logged[entry.ticket_id] = logged.get(entry.ticket_id, 0) + minutes
    return logged


def held_pack(lots: Sequence[LotRow], now: datetime) -> LotRow | None:
    """The pack the client holds: the most recently opened, non-voided shop lot (rule 6)."""
    held = [
        lot
        for lot in lots
        if lot.source is LotSource.ORDER_LINE
        and lot.status is not LotStatus.VOIDED
        and lot.opened_at <= now
    ]
    return max(held, key=lambda lot: (lot.opened_at, lot.id)) if held else None


def detect_warnings(
    balance: ClientBalance,
    tickets: Sequence[TicketRecord],
    logged: Mapping[str, int],
    now: datetime,
    options: WarningOptions,
) -> list[ClientWarning]:
    """Every warning that applies to ``balance``'s client at ``now``, in a stable order.

    ``logged`` maps a ticket id to the deducted minutes already logged on it (see
    ``logged_minutes_by_ticket``). Keys in the result are unique.
    """
    found = [
        *_overruns(balance, tickets, logged, now, options),
        *_low_balance(balance, options),
        *_expiries(balance, now, options),
        *_used_up(balance, now, options),
    ]
    unique: dict[str, ClientWarning] = {}
    for warning in found:
        unique.setdefault(warning.key, warning)
    return list(unique.values())


def _overruns(
    balance: ClientBalance,
    tickets: Sequence[TicketRecord],
    logged: Mapping[str, int],
    now: datetime,
    options: WarningOptions,
) -> Iterable[ClientWarning]:
    held = held_pack(balance.lots, now)
    if held is not None:
        rate = held.hourly_rate
        # The preposition goes with its article ("au tarif", "à notre tarif"): never "à le".
        billed_at = f"au tarif horaire de votre {pack_label(held.sku, options.catalog)}"
    else:
        rate = options.catalog.unit_rate_on(now.astimezone(options.timezone).date())
        billed_at = "à notre tarif horaire hors pack"
    remaining = balance.remaining_minutes
    for ticket in sorted(tickets, key=lambda t: (len(t.id), t.id)):
        if ticket.deleted or ticket.decision is not None or ticket.estimate_minutes is None:
            continue
        if ticket.status not in OPEN_TICKET_STATUSES:
            continue
        to_do = ticket.estimate_minutes - logged.get(ticket.id, 0)
        if to_do <= 0 or to_do <= remaining:
            continue
        what = (
            f"Le travail restant sur votre demande « {ticket.title} » est estimé à"
            if logged.get(ticket.id, 0) > 0
            else f"Votre demande « {ticket.title} » est estimée à"
        )
        message = (
            f"{what} {format_duration(to_do)}, "
            f"mais il ne reste que {format_duration(remaining)} sur votre crédit d'assistance. "
            "Avant que nous commencions, merci de choisir : acheter un nouveau pack (le temps "
            "dépassé sera déduit en premier du nouveau crédit), ou accepter que le temps au-delà "
            f"de votre crédit soit facturé {billed_at}, soit {format_amount(rate)} HT de "
            "l'heure."
        )
        yield ClientWarning(
            key=f"overrun:{ticket.id}",
            kind=WarningKind.OVERRUN,
            client_id=balance.client_id,
            message=message,
            remaining_minutes=remaining,
            ticket_id=ticket.id,
            ticket_title=ticket.title,
            estimate_minutes=to_do,
            hourly_rate=rate,
            product_url=options.buy_url(held.sku if held is not None else None),
            pack_label=pack_label(held.sku, options.catalog) if held is not None else None,
        )


def _low_balance(balance: ClientBalance, options: WarningOptions) -> Iterable[ClientWarning]:
    open_lots = [lot for lot in balance.lots if lot.status is LotStatus.OPEN]
    remaining = balance.remaining_minutes
    if not open_lots or remaining <= 0 or remaining >= options.low_balance_minutes:
        return
    latest = max(open_lots, key=lambda lot: (lot.opened_at, lot.id))
    yield ClientWarning(
        key=f"low:{latest.id}",
        kind=WarningKind.LOW_BALANCE,
        client_id=balance.client_id,
        message=(
            f"Il ne reste que {format_duration(remaining)} sur votre crédit d'assistance. "
            "Pour que nos interventions continuent sans interruption, vous pouvez dès "
            "maintenant acheter un nouveau pack."
        ),
        remaining_minutes=remaining,
        lot_id=latest.id,
        pack_label=pack_label(latest.sku, options.catalog, latest.source),
        product_url=options.buy_url(latest.sku),
    )


def _shop_packs(balance: ClientBalance, status: LotStatus) -> Iterator[LotRow]:
    """The client's shop packs in ``status``: expiry and used-up warnings concern packs only
    (admin credits are not packs)."""
    return (
        lot for lot in balance.lots if lot.source is LotSource.ORDER_LINE and lot.status is status
    )


def _expiries(
    balance: ClientBalance, now: datetime, options: WarningOptions
) -> Iterable[ClientWarning]:
    for lot in _shop_packs(balance, LotStatus.OPEN):
        if lot.expires_at is None or lot.remaining_minutes <= 0 or lot.expires_at <= now:
            continue
        window = next(
            (kind for days, kind in EXPIRY_WINDOWS if lot.expires_at - now <= timedelta(days=days)),
            None,
        )
        if window is None:
            continue
        label = pack_label(lot.sku, options.catalog)
        yield ClientWarning(
            key=f"{window}:{lot.id}",
            kind=WarningKind(window),
            client_id=balance.client_id,
            message=(
                f"Votre {label} arrive à échéance le "
                f"{format_long_date(lot.expires_at, options.timezone)} : il vous reste "
                f"{format_duration(lot.remaining_minutes)} à utiliser d'ici là. Le temps non "
                "utilisé à cette date sera perdu."
            ),
            remaining_minutes=lot.remaining_minutes,
            lot_id=lot.id,
            pack_label=label,
            expires_at=lot.expires_at,
            product_url=options.buy_url(lot.sku),
        )


def _used_up(
    balance: ClientBalance, now: datetime, options: WarningOptions
) -> Iterable[ClientWarning]:
    for lot in _shop_packs(balance, LotStatus.USED_UP):
        if lot.expires_at is not None and lot.expires_at <= now:
            continue
        label = pack_label(lot.sku, options.catalog)
        left = (
            f"Il vous reste {format_duration(balance.remaining_minutes)} sur vos autres packs."
            if balance.remaining_minutes > 0
            else "Vous n'avez plus de crédit d'assistance : pensez à acheter un nouveau pack."
        )
        yield ClientWarning(
            key=f"used_up:{lot.id}",
            kind=WarningKind.USED_UP,
            client_id=balance.client_id,
            message=(
                f"Votre {label} acheté le {format_long_date(lot.opened_at, options.timezone)} "
                f"est entièrement utilisé. {left} Le rapport d'intervention est disponible dans "
                "votre espace client."
            ),
            remaining_minutes=balance.remaining_minutes,
            lot_id=lot.id,
            pack_label=label,
            expires_at=lot.expires_at,
            product_url=options.buy_url(lot.sku),
        )
