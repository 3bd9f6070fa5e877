"""Sync bookkeeping: cursors, quarantine, runs, the outbox, sent-once warnings and reports.

Each of these is written in the caller's transaction, so a cursor commits with the rows it
covers, and a warning is recorded in the same unit of work that decides to send it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from ledger.domain import LotStatus
from ledger.models import (
    AdminFlag,
    Client,
    LotModel,
    Order,
    OutboxModel,
    QuarantinedRecord,
    ReportModel,
    SyncCursor,
    SyncRun,
    TicketModel,
    TimeEntryModel,
    WarningSent,
)
from ledger.records import RUNNING, OutboxItem, QuarantineRow, ReportRow, RunRecord
from ledger.store.base import StoreBase

PENDING, SENT, FAILED = "pending", "sent", "failed"


def as_json(value: object) -> Any:
    """``value`` as plain JSON data (dates and decimals become strings)."""
    return json.loads(json.dumps(value, default=str))


class BookkeepingRepository(StoreBase):
    # --- cursors -------------------------------------------------------------------------

    def cursor(self, name: str) -> str | None:
        row = self.session.get(SyncCursor, name)
        return None if row is None else row.value

    def save_cursor(self, name: str, value: str, now: datetime) -> None:
        """Move the cursor ``name`` to ``value`` (nothing is written when it is already there).

        The first save is an INSERT ... ON CONFLICT DO NOTHING: two runs saving a new cursor at
        once on PostgreSQL (the daemon and a sync by hand) do not fail on its primary key.
        """
        row = self.session.get(SyncCursor, name)
        if row is None:
            values = {"name": name, "value": value, "updated_at": now}
            if self._insert_ignore(SyncCursor, values, ["name"]):
                return
            row = self.session.get(SyncCursor, name)
            assert row is not None  # the other writer's row, committed
        if row.value != value:
            row.value, row.updated_at = value, now
        self.session.flush()

    def cursors(self) -> dict[str, tuple[str, datetime]]:
        """Every cursor: name → (value, when it last moved)."""
        rows = self.session.scalars(select(SyncCursor).order_by(SyncCursor.name))
        return {r.name: (r.value, r.updated_at) for r in rows}

    # --- quarantine ----------------------------------------------------------------------

    def quarantine(
        self, source: str, record_id: str, reason: str, payload: object, now: datetime
    ) -> None:
        """Keep a record the sync could not take; seen again, its count and reason update."""
        row = self._quarantined_row(source, record_id)
        data = as_json(payload)
        if row is None:
            self.session.add(
                QuarantinedRecord(
                    source=source,
                    record_id=record_id,
                    reason=reason,
                    payload=data,
                    first_seen=now,
                    last_seen=now,
                    count=1,
                )
            )
        else:
            row.reason, row.payload, row.last_seen = reason, data, now
            row.count += 1
        self.session.flush()

    def release_quarantine(self, source: str, record_id: str) -> None:
        """Forget a quarantined record (it was taken after all)."""
        row = self._quarantined_row(source, record_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def _quarantined_row(self, source: str, record_id: str) -> QuarantinedRecord | None:
        return self.session.scalars(
            select(QuarantinedRecord).where(
                QuarantinedRecord.source == source, QuarantinedRecord.record_id == record_id
            )
        ).first()

    def quarantined(self, source: str | None = None) -> list[QuarantineRow]:
        query = select(QuarantinedRecord).order_by(QuarantinedRecord.id)
        if source is not None:
            query = query.where(QuarantinedRecord.source == source)
        return [
            QuarantineRow(
                r.source, r.record_id, r.reason, r.payload, r.first_seen, r.last_seen, r.count
            )
            for r in self.session.scalars(query)
        ]

    # --- runs ----------------------------------------------------------------------------

    def record_run(self, run: RunRecord) -> None:
        self.session.add(
            SyncRun(
                job=run.job,
                started_at=run.started_at,
                finished_at=run.finished_at,
                outcome=run.outcome,
                summary=as_json(run.summary),
                error=run.error,
            )
        )
        self.session.flush()

    def begin_run(self, job: str, started_at: datetime, summary: dict[str, Any]) -> int:
        """Mark ``job`` as running since ``started_at`` (outcome ``running``, no end); returns
        the marker's id for ``end_run``. Lets ``health`` see a run that never ends."""
        marker = SyncRun(
            job=job,
            started_at=started_at,
            finished_at=None,
            outcome=RUNNING,
            summary=as_json(summary),
            error=None,
        )
        self.session.add(marker)
        self.session.flush()
        return marker.id

    def end_run(self, marker_id: int) -> None:
        """Remove a ``running`` marker (its run is recorded on its own); gone or closed: no-op."""
        self.session.execute(
            delete(SyncRun).where(SyncRun.id == marker_id, SyncRun.outcome == RUNNING)
        )

    def open_runs(self) -> list[RunRecord]:
        """Runs marked ``running``, oldest first."""
        rows = self.session.scalars(
            select(SyncRun).where(SyncRun.outcome == RUNNING).order_by(SyncRun.id)
        )
        return [
            RunRecord(r.job, r.started_at, r.finished_at, r.outcome, r.summary, r.error)
            for r in rows
        ]

    def close_open_runs(self, now: datetime, error: str) -> int:
        """Turn every ``running`` marker into a failed run ended ``now`` with ``error`` (a new
        leader does this: the daemon that ran them is gone). Returns how many."""
        result = self.session.execute(
            update(SyncRun)
            .where(SyncRun.outcome == RUNNING)
            .values(outcome="failed", finished_at=now, error=error)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def last_runs(self) -> dict[str, RunRecord]:
        """The last recorded run of each job, by job name."""
        latest = (
            select(SyncRun.job, func.max(SyncRun.id).label("id")).group_by(SyncRun.job).subquery()
        )
        rows = self.session.scalars(
            select(SyncRun).join(latest, SyncRun.id == latest.c.id).order_by(SyncRun.job)
        )
        return {
            r.job: RunRecord(r.job, r.started_at, r.finished_at, r.outcome, r.summary, r.error)
            for r in rows
        }

    # --- outbox --------------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        key: str,
        payload: dict[str, Any],
        content_hash: str,
        now: datetime,
        *,
        force: bool = False,
    ) -> bool:
        """Queue ``payload`` for (kind, key). False when that content is already queued or sent
        (unless ``force``: send it again, e.g. a full re-push); a different content replaces
        what was waiting and is due at once."""
        row = self.session.scalars(
            select(OutboxModel).where(OutboxModel.kind == kind, OutboxModel.key == key)
        ).first()
        if row is not None and row.content_hash == content_hash and not force:
            return False
        if row is None:
            row = OutboxModel(kind=kind, key=key, created_at=now)
            self.session.add(row)
        row.payload, row.content_hash = as_json(payload), content_hash
        row.status, row.attempts, row.next_attempt_at = PENDING, 0, now
        row.last_error, row.sent_at = None, None
        self.session.flush()
        return True

    def due(self, kind: str, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Items of ``kind`` to send now (pending, or failed and due again), oldest first."""
        rows = self.session.scalars(
            select(OutboxModel)
            .where(
                OutboxModel.kind == kind,
                OutboxModel.status.in_((PENDING, FAILED)),
                OutboxModel.next_attempt_at <= now,
            )
            .order_by(OutboxModel.next_attempt_at, OutboxModel.id)
            .limit(limit)
        )
        return [_outbox_item(r) for r in rows]

    def mark_sent(self, item_id: int, now: datetime, *, content_hash: str | None = None) -> None:
        """Mark the item delivered. With ``content_hash``, only if that is still its content
        (a newer payload queued meanwhile stays pending)."""
        row = self.session.get(OutboxModel, item_id)
        if row is None or (content_hash is not None and row.content_hash != content_hash):
            return
        row.status, row.sent_at, row.last_error = SENT, now, None
        row.attempts += 1
        self.session.flush()

    def mark_failed(self, item_id: int, now: datetime, error: str, retry_at: datetime) -> None:
        """Record a failed attempt; the item is due again at ``retry_at``."""
        row = self.session.get(OutboxModel, item_id)
        if row is None:
            return
        row.status, row.last_error, row.next_attempt_at = FAILED, error[:2000], retry_at
        row.attempts += 1
        self.session.flush()

    # --- warnings and reports ------------------------------------------------------------

    def warning_sent(self, client_id: int, key: str) -> bool:
        found = self.session.scalar(
            select(WarningSent.id).where(WarningSent.client_id == client_id, WarningSent.key == key)
        )
        return found is not None

    def record_warning(
        self, client_id: int, key: str, kind: str, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Record that the warning ``key`` goes to the client; False if it already did (the
        unique (client, key) makes this hold across restarts and racing replicas)."""
        self._touch_client(client_id)
        values = {
            "client_id": client_id,
            "key": key,
            "kind": kind,
            "payload": as_json(payload),
            "created_at": now,
        }
        return self._insert_ignore(WarningSent, values, ["client_id", "key"])

    def record_report(
        self, client_id: int, lot_id: str, sha256: str, remote_id: int | None, now: datetime
    ) -> None:
        """Remember a report uploaded (or about to be); a known one only gains its remote id."""
        row = self.session.scalars(
            select(ReportModel).where(
                ReportModel.client_id == client_id,
                ReportModel.lot_id == lot_id,
                ReportModel.sha256 == sha256,
            )
        ).first()
        if row is None:
            self._touch_client(client_id)
            self.session.add(
                ReportModel(
                    client_id=client_id,
                    lot_id=lot_id,
                    sha256=sha256,
                    remote_id=remote_id,
                    created_at=now,
                )
            )
        elif remote_id is not None:
            row.remote_id = remote_id
        self.session.flush()

    def reports_of_client(self, client_id: int) -> list[ReportRow]:
        rows = self.session.scalars(
            select(ReportModel).where(ReportModel.client_id == client_id).order_by(ReportModel.id)
        )
        return [
            ReportRow(r.id, r.client_id, r.lot_id, r.sha256, r.remote_id, r.created_at)
            for r in rows
        ]

    # --- status --------------------------------------------------------------------------

    def status_counts(self) -> dict[str, object]:
        """Counts for ``assist-sync status``: clients, lots by status, live entries and
        tickets, quarantined records, unassigned orders, open admin flags, pending outbox."""

        def count(*where: Any, model: Any) -> int:
            return int(self.session.scalar(select(func.count()).select_from(model).where(*where)))

        lots = {status.value: 0 for status in LotStatus}
        for status, n in self.session.execute(
            select(LotModel.status, func.count()).group_by(LotModel.status)
        ):
            lots[status] = int(n)
        return {
            "clients": count(model=Client),
            "lots": lots,
            "entries": count(TimeEntryModel.deleted.is_(False), model=TimeEntryModel),
            "tickets": count(TicketModel.deleted.is_(False), model=TicketModel),
            "quarantined": count(model=QuarantinedRecord),
            "unassigned_orders": count(Order.client_id.is_(None), model=Order),
            "admin_flags": count(AdminFlag.resolved_at.is_(None), model=AdminFlag),
            "outbox_pending": count(OutboxModel.status.in_((PENDING, FAILED)), model=OutboxModel),
        }


def _outbox_item(r: OutboxModel) -> OutboxItem:
    return OutboxItem(
        id=r.id,
        kind=r.kind,
        key=r.key,
        payload=r.payload,
        content_hash=r.content_hash,
        status=r.status,
        attempts=r.attempts,
        next_attempt_at=r.next_attempt_at,
        last_error=r.last_error,
        created_at=r.created_at,
        sent_at=r.sent_at,
    )
