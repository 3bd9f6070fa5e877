"""The shop side of the store: clients, orders with their status history, lots, admin flags,
the packs' product pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ledger.domain import Lot, LotSource, LotStatus
from ledger.models import AdminFlag, Client, LotModel, Order, OrderStatusChange, ProductPage
from ledger.records import (
    Change,
    ClientRow,
    FlagRow,
    OrderRecord,
    OrderRow,
    ProductPageRow,
    order_lot_id,
)
from ledger.store.base import StoreBase, lot_from_model

LOT_FIELDS = (
    "client_id",
    "source",
    "sku",
    "order_id",
    "order_line_id",
    "quantity",
    "pack_minutes",
    "hourly_rate",
    "opened_at",
    "expires_at",
    "refunded_quantity",
    "voided",
    "reason",
)
MAX_CLIENT_ID = 2**31 - 1  # clients.id is a 32-bit INTEGER on PostgreSQL
ORDER_FIELDS = (
    "client_id",
    "billing_email",
    "status",
    "date_paid",
    "date_modified",
    "content_hash",
)


class ShopRepository(StoreBase):
    # --- clients -------------------------------------------------------------------------

    def ensure_client(
        self, client_id: int, email: str | None = None, name: str | None = None
    ) -> bool:
        """Create the client, or update the e-mail/name given (None keeps the stored value).

        Returns True if the row was created or changed.
        """
        if self._create_client(client_id, email, name):
            return True
        client = self._client_model(client_id)
        changed = False
        if email is not None and client.email != email:
            client.email, changed = email, True
        if name is not None and client.name != name:
            client.name, changed = name, True
        self.session.flush()
        return changed

    def find_client(self, ref: str) -> ClientRow | None:
        """The client whose WordPress user id or e-mail (any case) is ``ref``, or None.

        An id is ASCII digits; one beyond the id column's range names no client.
        """
        ref = ref.strip()
        query = select(Client)
        if ref.isascii() and ref.isdigit():
            if int(ref) > MAX_CLIENT_ID:
                return None
            query = query.where(Client.id == int(ref))
        else:
            query = query.where(func.lower(Client.email) == ref.lower()).order_by(Client.id)
        client = self.session.scalars(query.limit(1)).first()
        return None if client is None else self._client_row(client)

    def client_ids(self) -> list[int]:
        return list(self.session.scalars(select(Client.id).order_by(Client.id)))

    def clients(self) -> list[ClientRow]:
        """Every client, by id, with cached balances and the number of open lots."""
        counted = self.session.execute(
            select(LotModel.client_id, func.count())
            .where(LotModel.status == LotStatus.OPEN.value)
            .group_by(LotModel.client_id)
        )
        open_lots = {client_id: int(n) for client_id, n in counted}
        return [
            self._client_row(client, open_lots.get(client.id, 0))
            for client in self.session.scalars(select(Client).order_by(Client.id))
        ]

    def _client_row(self, client: Client, open_lots: int | None = None) -> ClientRow:
        if open_lots is None:
            open_lots = self.session.scalar(
                select(func.count())
                .select_from(LotModel)
                .where(LotModel.client_id == client.id, LotModel.status == LotStatus.OPEN.value)
            )
        return ClientRow(
            id=client.id,
            email=client.email,
            name=client.name,
            remaining_minutes=client.remaining_minutes,
            uncovered_minutes=client.uncovered_minutes,
            open_lots=int(open_lots or 0),
            recomputed_at=client.recomputed_at,
        )

    # --- orders --------------------------------------------------------------------------

    def get_order(self, order_id: int) -> OrderRow | None:
        row = self.session.get(Order, order_id)
        if row is None:
            return None
        return OrderRow(
            id=row.id,
            client_id=row.client_id,
            billing_email=row.billing_email,
            status=row.status,
            date_paid=row.date_paid,
            date_modified=row.date_modified,
            content_hash=row.content_hash,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
        )

    def upsert_order(self, order: OrderRecord) -> Change:
        """Store the order as read; a new status is appended to its status history.

        ``last_seen`` is refreshed on every read; the returned Change says whether the content
        (client, e-mail, status, dates, hash) changed.
        """
        if order.client_id is not None:
            self._touch_client(order.client_id)
        row = self.session.get(Order, order.id)
        previous_status: str | None = None
        if row is None:
            change = Change.OPENED
            row = Order(id=order.id, first_seen=order.seen_at, last_seen=order.seen_at)
            for name in ORDER_FIELDS:
                setattr(row, name, getattr(order, name))
            self.session.add(row)
        else:
            previous_status = row.status
            differs = [n for n in ORDER_FIELDS if getattr(row, n) != getattr(order, n)]
            change = Change.CHANGED if differs else Change.UNCHANGED
            for name in differs:
                setattr(row, name, getattr(order, name))
            row.last_seen = max(row.last_seen, order.seen_at)
        if change is Change.OPENED or previous_status != order.status:
            self.session.add(
                OrderStatusChange(
                    order_id=order.id,
                    previous_status=previous_status,
                    status=order.status,
                    changed_at=order.date_modified,
                    recorded_at=order.seen_at,
                )
            )
        self.session.flush()
        return change

    def order_status_history(self, order_id: int) -> list[tuple[str | None, str, datetime]]:
        """``(previous status, status, order modified at)`` in the order they were seen."""
        rows = self.session.scalars(
            select(OrderStatusChange)
            .where(OrderStatusChange.order_id == order_id)
            .order_by(OrderStatusChange.id)
        )
        return [(r.previous_status, r.status, r.changed_at) for r in rows]

    def unassigned_orders(self) -> list[OrderRow]:
        """Guest orders no client was matched to yet, oldest first."""
        ids = self.session.scalars(
            select(Order.id).where(Order.client_id.is_(None)).order_by(Order.id)
        )
        return [row for i in ids if (row := self.get_order(i)) is not None]

    # --- lots ----------------------------------------------------------------------------

    def upsert_lot(self, lot: Lot) -> Change:
        """Store a lot by its id. An order line's lot must be ``order-{order}-line-{line}``
        (so re-reading an order never opens it twice) and its order must be stored first.
        When ``client_id`` changes (a guest order assigned), recompute both clients.

        A changed lot (refund, voiding, reassignment) keeps its cached balance until the
        client is recomputed. Raises ValueError for an id that does not match its order line.
        """
        if lot.source is LotSource.ORDER_LINE:
            if lot.order_id is None or lot.order_line_id is None:
                raise ValueError(f"lot {lot.id}: an order-line lot needs order_id and line id")
            expected = order_lot_id(lot.order_id, lot.order_line_id)
            if lot.id != expected:
                raise ValueError(f"lot {lot.id}: the lot of this order line must be {expected}")
        self._touch_client(lot.client_id)
        values = {
            "client_id": lot.client_id,
            "source": lot.source.value,
            "sku": lot.sku,
            "order_id": lot.order_id,
            "order_line_id": lot.order_line_id,
            "quantity": lot.quantity,
            "pack_minutes": lot.pack_minutes,
            "hourly_rate": lot.hourly_rate,
            "opened_at": lot.opened_at,
            "expires_at": lot.expires_at,
            "refunded_quantity": lot.refunded_quantity,
            "voided": lot.voided,
            "reason": lot.reason,
        }
        row = self.session.get(LotModel, lot.id)
        if row is None:
            status = LotStatus.VOIDED if lot.voided else LotStatus.OPEN
            self.session.add(
                LotModel(
                    id=lot.id,
                    **values,
                    used_minutes=0,
                    expired_minutes=0,
                    remaining_minutes=lot.capacity_minutes,
                    voided_minutes=lot.granted_minutes - lot.capacity_minutes,
                    status=status.value,
                )
            )
            self.session.flush()
            return Change.OPENED
        differs = [name for name in LOT_FIELDS if getattr(row, name) != values[name]]
        for name in differs:
            setattr(row, name, values[name])
        self.session.flush()
        return Change.CHANGED if differs else Change.UNCHANGED

    def get_lot(self, lot_id: str) -> Lot | None:
        row = self.session.get(LotModel, lot_id)
        return None if row is None else lot_from_model(row)

    def lots_of_order(self, order_id: int) -> list[Lot]:
        rows = self.session.scalars(
            select(LotModel).where(LotModel.order_id == order_id).order_by(LotModel.order_line_id)
        )
        return [lot_from_model(r) for r in rows]

    def lots_of_client(self, client_id: int) -> list[Lot]:
        """The client's lots, oldest first (voided ones included: the engine accounts them)."""
        rows = self.session.scalars(
            select(LotModel)
            .where(LotModel.client_id == client_id)
            .order_by(LotModel.opened_at, LotModel.id)
        )
        return [lot_from_model(r) for r in rows]

    def live_order_ids(self, client_id: int | None = None) -> set[int]:
        """The orders that hold at least one lot not voided (of ``client_id``, or of everyone)."""
        query = select(LotModel.order_id).where(
            LotModel.order_id.is_not(None), LotModel.voided.is_(False)
        )
        if client_id is not None:
            query = query.where(LotModel.client_id == client_id)
        return {order_id for order_id in self.session.scalars(query.distinct()) if order_id}

    # --- admin flags ---------------------------------------------------------------------

    def flag(self, kind: str, ref: str, message: str, now: datetime) -> bool:
        """Raise an admin flag once per (kind, ref); True if it is new."""
        values = {"kind": kind, "ref": ref, "message": message, "created_at": now}
        return self._insert_ignore(AdminFlag, values, ["kind", "ref"])

    def open_flags(self) -> list[FlagRow]:
        rows = self.session.scalars(
            select(AdminFlag).where(AdminFlag.resolved_at.is_(None)).order_by(AdminFlag.id)
        )
        return [FlagRow(r.id, r.kind, r.ref, r.message, r.created_at, r.resolved_at) for r in rows]

    def resolve_flag(self, kind: str, ref: str, now: datetime) -> bool:
        row = self.session.scalars(
            select(AdminFlag).where(AdminFlag.kind == kind, AdminFlag.ref == ref)
        ).first()
        if row is None or row.resolved_at is not None:
            return False
        row.resolved_at = now
        self.session.flush()
        return True

    # --- product pages -------------------------------------------------------------------

    def product_pages(self) -> dict[str, ProductPageRow]:
        """Each pack's product as last read from the shop, by SKU."""
        return {
            r.sku: ProductPageRow(r.sku, r.product_id, r.status, r.url, r.fetched_at)
            for r in self.session.scalars(select(ProductPage))
        }

    def save_product_page(self, page: ProductPageRow) -> None:
        """Store (or replace) what the shop said about ``page.sku``."""
        self.session.merge(
            ProductPage(
                sku=page.sku,
                product_id=page.product_id,
                status=page.status,
                url=page.url,
                fetched_at=page.fetched_at,
            )
        )
        self.session.flush()

    def product_urls(self) -> dict[str, str]:
        """The product page of each pack that has a published product, by SKU."""
        rows = self.session.execute(
            select(ProductPage.sku, ProductPage.url).where(ProductPage.url.is_not(None))
        )
        return {sku: url for sku, url in rows if url}
