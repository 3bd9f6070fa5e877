"""Client-area rows (``docs/client-area-api.md``) → ledger values, or the reason they are refused.

Pure: no database, no clock. ``parse_ticket`` and ``parse_entry`` either return a value the
store takes as it is, or raise ``MalformedRecord`` with a one-line reason that goes to the
quarantine. Ids become ledger ids: ticket ``12`` → ``"12"`` (warnings and the page show ticket
numbers), time entry ``40`` → ``"wp-40"`` (admin entries are ``"adjust-<n>"``).

A tombstone (``"deleted": true``) only needs its id and modification date: its other fields are
the last known ones and may be incomplete, and a deletion must never be refused for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from ledger.domain import Choice, ClientId, EntryId, EntryKind, TicketId, TimeEntry
from ledger.records import TicketRecord

LOGGED_KINDS = frozenset(
    {EntryKind.PRODUCTION, EntryKind.CORRECTION, EntryKind.TRAINING, EntryKind.EXCHANGE}
)
ENTRY_PREFIX = "wp-"


class MalformedRecord(ValueError):
    """A row the sync cannot take. ``record_id`` is the ledger id when one could be read
    (``"?"`` otherwise); ``reason`` says what is wrong, in one line."""

    def __init__(self, record_id: str, reason: str) -> None:
        super().__init__(f"{record_id}: {reason}")
        self.record_id = record_id
        self.reason = reason


@dataclass(frozen=True)
class EntryUpdate:
    """One time-entry row: the live entry, or a tombstone (``entry`` None).

    ``client_id`` is None for a tombstone whose client could not be read.
    """

    id: str
    modified_at: datetime
    entry: TimeEntry | None
    client_id: int | None = None
    author: str | None = None

    @property
    def deleted(self) -> bool:
        return self.entry is None


def ticket_id_of(remote_id: int) -> str:
    return str(remote_id)


def entry_id_of(remote_id: int) -> str:
    return f"{ENTRY_PREFIX}{remote_id}"


def record_key(raw: object, *, entry: bool) -> str:
    """The ledger id of ``raw`` as far as it can be read (for quarantine), else ``"?"``."""
    ident = raw.get("id") if isinstance(raw, Mapping) else None
    if _is_int(ident) and ident > 0:
        return entry_id_of(ident) if entry else ticket_id_of(ident)
    return "?"


def parse_ticket(raw: object) -> TicketRecord:
    """A ticket row → ``TicketRecord`` (``deleted`` for a tombstone). Raises MalformedRecord."""
    row = _row(raw, entry=False)
    key = ticket_id_of(_positive(row, "id", "?"))
    modified = _date(row, "date_modified_gmt", key)
    client = _positive(row, "client_id", key)
    deleted = _deleted(row, key)
    if deleted:  # last known fields: take what is readable
        title = row.get("title") if isinstance(row.get("title"), str) else ""
        status = row.get("status") if isinstance(row.get("status"), str) else "closed"
        return TicketRecord(key, client, str(title), str(status), modified, deleted=True)
    title = row.get("title")
    if not isinstance(title, str):
        raise MalformedRecord(key, f"title is not text ({title!r})")
    status = row.get("status")
    if not isinstance(status, str) or not status.strip():
        raise MalformedRecord(key, f"status is missing or not text ({status!r})")
    estimate = row.get("estimate_minutes")
    if estimate is not None and (not _is_int(estimate) or estimate < 0):
        raise MalformedRecord(key, f"estimate_minutes must be a whole number ≥ 0 ({estimate!r})")
    decision, decided_at = _decision(row, key, modified)
    return TicketRecord(
        id=key,
        client_id=client,
        title=title,
        status=status.strip(),
        modified_at=modified,
        estimate_minutes=estimate or None,
        decision=decision,
        decided_at=decided_at,
    )


def parse_entry(raw: object) -> EntryUpdate:
    """A time-entry row → ``EntryUpdate``. Raises MalformedRecord."""
    row = _row(raw, entry=True)
    key = entry_id_of(_positive(row, "id", "?"))
    modified = _date(row, "date_modified_gmt", key)
    if _deleted(row, key):
        client = row.get("client_id")
        return EntryUpdate(key, modified, None, client if _is_int(client) and client > 0 else None)
    client = _positive(row, "client_id", key)
    ticket = _positive(row, "ticket_id", key)
    kind = row.get("kind")
    if kind not in {k.value for k in LOGGED_KINDS}:
        raise MalformedRecord(
            key, f"kind {kind!r} is not one of production, correction, training, exchange"
        )
    minutes = row.get("minutes")
    if not _is_int(minutes):
        raise MalformedRecord(key, f"minutes is not a whole number ({minutes!r})")
    if minutes <= 0:
        raise MalformedRecord(key, f"minutes must be at least 1 ({minutes})")
    performed = _date(row, "performed_at_gmt", key)
    note = row.get("note")
    if note is not None and not isinstance(note, str):
        raise MalformedRecord(key, f"note is not text ({note!r})")
    author = row.get("author_id")
    entry = TimeEntry(
        id=EntryId(key),
        client_id=ClientId(client),
        kind=EntryKind(kind),
        minutes=minutes,
        performed_at=performed,
        ticket_id=TicketId(ticket_id_of(ticket)),
        note=note or "",
    )
    return EntryUpdate(
        key, modified, entry, client, f"wp-user-{author}" if _is_int(author) else None
    )


def ticket_problem(entry: TimeEntry, tickets_of_client: Mapping[str, int]) -> str | None:
    """Why ``entry`` cannot be taken given the tickets known for its client (ticket id →
    client id, deleted ones included), or None when its ticket is known and is the client's."""
    if entry.ticket_id is None:
        return None
    owner = tickets_of_client.get(entry.ticket_id)
    if owner is None:
        return f"unknown ticket {entry.ticket_id} for client {entry.client_id}"
    if owner != entry.client_id:
        return f"ticket {entry.ticket_id} belongs to client {owner}, not {entry.client_id}"
    return None


# --- helpers ---------------------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _row(raw: object, *, entry: bool) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MalformedRecord("?", f"not a JSON object ({type(raw).__name__})")
    if record_key(raw, entry=entry) == "?":
        raise MalformedRecord("?", f"id is missing or not a positive integer ({raw.get('id')!r})")
    return raw


def _positive(row: Mapping[str, Any], name: str, key: str) -> int:
    value = row.get(name)
    if not _is_int(value) or value <= 0:
        raise MalformedRecord(key, f"{name} is missing or not a positive integer ({value!r})")
    return int(value)


def _deleted(row: Mapping[str, Any], key: str) -> bool:
    value = row.get("deleted", False)
    if not isinstance(value, bool):
        raise MalformedRecord(key, f"deleted is not true or false ({value!r})")
    return value


def _date(row: Mapping[str, Any], name: str, key: str) -> datetime:
    """A ``*_gmt`` field: naive ISO-8601 UTC (an explicit offset is honoured)."""
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MalformedRecord(key, f"{name} is missing ({value!r})")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedRecord(key, f"{name} is not a date ({value!r})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year < 2000:  # WordPress writes 0000-00-00 00:00:00 for "never"
        raise MalformedRecord(key, f"{name} is not a real date ({value!r})")
    return moment.astimezone(UTC).replace(microsecond=0)


def _decision(
    row: Mapping[str, Any], key: str, modified: datetime
) -> tuple[Choice | None, datetime | None]:
    value = row.get("decision")
    if value is None or value == "":
        return None, None
    try:
        choice = Choice(value)
    except ValueError:
        raise MalformedRecord(key, f"decision {value!r} is not buy_pack or bill") from None
    # A decision without its date is dated by the ticket's last change (when it was recorded).
    decided = _date(row, "decided_at_gmt", key) if row.get("decided_at_gmt") else modified
    return choice, decided
