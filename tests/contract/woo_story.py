"""The story of the captured shop (``tests/contract/fixtures``), told again in any shop.

The capture session had three customers and nine orders (13-21) in every state that matters,
two refunds, order 16 moved from on-hold to processing 70 s after the others and, at the end,
order 13 paid. ``build_story`` makes the same in a ``ContractShop`` at one moment of that session
(its phase), with customers of its own; dates are set exactly afterwards, two hours back, with
the capture's seconds (13-16, then 17-19, then 20-21 and the refunds) so that date and
modification orderings tie and break the same way. Lists are then read with ``include`` = the
story's orders: in a shop shared with other tests, the totals are the story's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.contract.shops import ContractShop, Dates, NewOrder, unique

# name → (customer, lines, status as created, second of creation)
ORDERS: dict[str, tuple[str | None, list[tuple[str, int]], str, int]] = {
    "pending": ("anna", [("ASSIST-3H", 1)], "pending", 0),
    "processing": ("ben", [("ASSIST-5H", 1)], "processing", 0),
    "completed": ("clara", [("ASSIST-10H", 1)], "completed", 0),
    "on_hold": ("anna", [("ASSIST-3H", 1)], "on-hold", 0),
    "guest_cancelled": (None, [("ASSIST-5H", 1)], "cancelled", 1),
    "refunded": ("ben", [("ASSIST-3H", 1)], "completed", 1),
    "partial": ("clara", [("ASSIST-10H", 1)], "completed", 1),
    "two_items": ("anna", [("ASSIST-3H", 1), ("ASSIST-5H", 1)], "processing", 2),
    "qty2": ("clara", [("ASSIST-5H", 2)], "processing", 2),
}


@dataclass
class Story:
    """What a phase of the story made in one shop: ids, e-mails, the checkpoint."""

    shop: ContractShop
    phase: int
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    checkpoint: str = ""  # naive UTC between the orders' creation and order 16's update

    @property
    def order_ids(self) -> list[int]:
        return [self.ids[name] for name in ORDERS]

    def fill(self, text: str) -> str:
        names = {f"{who}_email": email for who, email in self.emails.items()}
        logins = {f"{who}_login": email.split("@")[0] for who, email in self.emails.items()}
        return text.format(**self.ids, **names, **logins, checkpoint=self.checkpoint)

    def filled(self, value: Any) -> Any:
        """``value`` with every ``{name}`` filled; a lone ``{id}`` becomes an int."""
        if isinstance(value, str):
            text = self.fill(value)
            return int(text) if value.startswith("{") and text.isdigit() else text
        if isinstance(value, list):
            return [self.filled(v) for v in value]
        if isinstance(value, dict):
            return {k: self.filled(v) for k, v in value.items()}
        return value


def build_story(shop: ContractShop, phase: int) -> Story:
    """The captured shop at ``phase`` of its session.

    Phase 1: as created (13 pending, 16 on-hold). Phase 2: 16 moved to processing 70 s later
    (with a meta). Phase 3: 13 paid as well.
    """
    story = Story(shop, phase)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    for who, first, last in (("anna", "Anna", "Schmitt"), ("ben", "Ben", "Muller"),
                             ("clara", "Clara", "Weber")):  # fmt: skip
        story.emails[who] = f"{unique(who)}@exemple.fr"
        story.ids[who] = shop.customer(story.emails[who], first, last)
    shop.customer_meta(
        story.ids["anna"],
        {
            "sync_woo_customer_id": str(story.ids["anna"]),
            "sync_last_order_at": "2026-11-26T10:40:00Z",
        },
    )
    story.emails["guest"] = f"{unique('invite')}@exemple.fr"
    story.emails["dora"] = f"{unique('dora')}@exemple.fr"
    specs = [
        NewOrder(
            story.ids[who] if who else 0,
            lines,
            status,
            billing_email=None if who else story.emails["guest"],
        )
        for who, lines, status, _ in ORDERS.values()
    ]
    for name, order_id in zip(ORDERS, shop.orders(specs), strict=True):
        story.ids[name] = order_id
    shop.add_meta(story.ids["processing"], "_sync_test_ref", "REF-0001")
    story.ids["refund"] = shop.refund(story.ids["refunded"], {}, amount="180.00",
                                      reason="full refund test")  # fmt: skip
    [partial_line] = shop.line_ids(story.ids["partial"])
    partial = shop.refund(story.ids["partial"], {partial_line: (0, "100.00")}, amount="100.00",
                          reason="partial refund: 2h unused")  # fmt: skip
    if phase >= 2:
        shop.set_status(story.ids["on_hold"], "processing")
        shop.add_meta(story.ids["on_hold"], "_sync_note", "moved")
    if phase >= 3:
        shop.set_status(story.ids["pending"], "processing")

    def at(second: int) -> datetime:
        return start + timedelta(seconds=second)

    dates = {}
    for name, (_, _, status, second) in ORDERS.items():
        paid = at(second) if status in ("processing", "completed") else None
        dates[story.ids[name]] = Dates(created=at(second), modified=at(second), paid=paid)
    for refund in (story.ids["refund"], partial):
        dates[refund] = Dates(created=at(2))
    for name in ("refunded", "partial"):
        dates[story.ids[name]] = Dates(created=at(1), modified=at(2), paid=at(1))
    if phase >= 2:
        dates[story.ids["on_hold"]] = Dates(created=at(0), modified=at(70), paid=at(70))
    if phase >= 3:
        dates[story.ids["pending"]] = Dates(created=at(0), modified=at(140), paid=at(140))
    shop.set_dates(dates)
    story.checkpoint = at(68).strftime("%Y-%m-%dT%H:%M:%S")
    return story
