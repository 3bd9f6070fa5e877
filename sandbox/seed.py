"""Deterministic, realistic seed data for the sandbox shop and client area.

``random.Random(seed)`` drives everything; dates are laid out backwards from ``anchor`` (default:
today 00:00 UTC), so a seed gives the same data all day long and every seeded date is in the past.
The shop gets the three packs as simple products, a variable product whose variations carry their
own SKUs, a product that is not a pack, French clients, and orders in every status with guest
orders, quantities > 1, several lines, partial (line) refunds, full refunds and amount-only refunds.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sandbox.shop import ShopState
from sandbox.shop_model import PAID_STATUSES

PACK_SKUS = ("ASSIST-3H", "ASSIST-5H", "ASSIST-10H")
PACK_MINUTES = {"ASSIST-3H": 180, "ASSIST-5H": 300, "ASSIST-10H": 600}
# The variable product's variations: not in the default catalog (skipped unless configured).
VARIATION_SKUS = ("ASSIST-20H", "ASSIST-40H")
NON_PACK_SKU = "MAINT-ANNUELLE"
KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Juliette", "Émilie", "Sophie", "Hélène",
    "Margaux", "Anaïs", "Céline", "Élodie", "Nathalie", "Véronique", "Thomas", "Nicolas",
    "Julien", "Maxime", "Antoine", "Hugo", "Lucas", "Mathieu", "Sébastien", "François",
    "Jérôme", "Stéphane", "Benoît", "Rémi", "Olivier", "Laurent", "Cédric", "Gaël", "Loïc",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Légaré", "Chevalier", "Faure", "Rousseau",
)  # fmt: skip
DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "wanadoo.fr", "sfr.fr")
COMPANIES = (
    "", "", "", "Boulangerie du Marché", "Atelier Vert", "Cabinet Morel", "Les Jardins d'Anaïs",
    "Librairie des Quais", "Studio Lumière", "Gîte du Lac",
)  # fmt: skip
CITIES = (
    ("Paris", "75011"), ("Lyon", "69003"), ("Nantes", "44000"), ("Bordeaux", "33000"),
    ("Lille", "59000"), ("Toulouse", "31000"), ("Rennes", "35000"), ("Annecy", "74000"),
)  # fmt: skip
STREETS = ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "place du Marché")

# Status mix of seeded orders (weights).
STATUS_WEIGHTS = (
    ("completed", 42), ("processing", 16), ("pending", 7), ("on-hold", 6), ("cancelled", 7),
    ("refunded", 6), ("failed", 5), ("trash", 3), ("checkout-draft", 3),
)  # fmt: skip


def default_anchor() -> datetime:
    """Today 00:00 UTC: seeded dates are before it, and stable for the day."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def seed_products(shop: ShopState, anchor: datetime) -> None:
    """The agency's catalogue: three packs, a variable pack, and a non-pack product."""
    when = anchor - timedelta(days=600)
    shop.add_product("Pack Assistance 3h", "ASSIST-3H", "180.00", at=when)
    shop.add_product("Pack Assistance 5h", "ASSIST-5H", "285.00", at=when)
    shop.add_product("Pack Assistance 10h", "ASSIST-10H", "550.00", at=when)
    parent = shop.add_product(
        "Pack Assistance Agence", "ASSIST-AGENCE", "0", type="variable", at=when
    )
    shop.add_product(
        "Pack Assistance Agence - 20 heures",
        "ASSIST-20H",
        "1050.00",
        type="variation",
        parent_id=parent.id,
        attribute=("Durée", "20 heures"),
        at=when,
    )
    shop.add_product(
        "Pack Assistance Agence - 40 heures",
        "ASSIST-40H",
        "2000.00",
        type="variation",
        parent_id=parent.id,
        attribute=("Durée", "40 heures"),
        at=when,
    )
    parent.price = shop.products[parent.variations[0]].price
    shop.add_product("Maintenance annuelle", NON_PACK_SKU, "240.00", at=when)


def seed_users(shop: ShopState, rng: random.Random, clients: int, anchor: datetime) -> None:
    """The agency's own users (ids 1-3), then ``clients`` French customers."""
    start = anchor - timedelta(days=560)
    shop.add_customer(
        "contact@agence-exemple.fr", "Claire", "Agence", role="administrator", username="agence"
    ).created = start
    shop.add_customer(
        "assist-sync@agence-exemple.fr", "Assist", "Sync", role="administrator",
        username="assist-sync",
    ).created = start  # fmt: skip
    shop.add_customer(
        "stagiaire@agence-exemple.fr", "Paul", "Stagiaire", role="shop_manager",
        username="stagiaire",
    ).created = start  # fmt: skip
    for n in range(clients):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{ascii_fold(first)}.{ascii_fold(last).replace(' ', '')}"
        email = f"{local}{n + 1}@{rng.choice(DOMAINS)}"
        city, postcode = rng.choice(CITIES)
        created = start + timedelta(seconds=rng.randrange(0, 540 * 86400))
        billing = {
            "first_name": first,
            "last_name": last,
            "company": rng.choice(COMPANIES),
            "address_1": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "address_2": "",
            "city": city,
            "state": "",
            "postcode": postcode,
            "country": "FR",
            "email": email,
            "phone": f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
        }
        role = "subscriber" if rng.random() < 0.04 else "customer"
        shop.add_customer(
            email, first, last, role=role, username=local + str(n + 1), billing=billing, at=created
        )
        shop.customers[shop._next_user - 1].modified = created


def _pick_lines(rng: random.Random) -> list[tuple[str, int]]:
    def one() -> tuple[str, int]:
        roll = rng.random()
        if roll < 0.42:
            sku = "ASSIST-3H"
        elif roll < 0.72:
            sku = "ASSIST-5H"
        elif roll < 0.87:
            sku = "ASSIST-10H"
        elif roll < 0.93:
            sku = rng.choice(VARIATION_SKUS)
        else:
            sku = NON_PACK_SKU
        qty = 1 if rng.random() < 0.85 else rng.randint(2, 3)
        return sku, qty

    count = 1 if rng.random() < 0.8 else rng.randint(2, 3)
    lines: dict[str, int] = {}
    for _ in range(count):
        sku, qty = one()
        lines.setdefault(sku, qty)
    return list(lines.items())


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def seed_orders(shop: ShopState, rng: random.Random, count: int, anchor: datetime) -> None:
    """``count`` orders over the last 18 months, ids in creation order."""
    clients = shop.customer_ids(role=None)[3:]
    if not clients or count <= 0:
        return
    span = 540 * 86400
    moments = sorted(rng.randrange(3600, span) for _ in range(count))
    for offset in reversed(moments):
        created = anchor - timedelta(seconds=offset)
        status = _weighted(rng, STATUS_WEIGHTS)
        customer_id = rng.choice(clients)
        billing_email = None
        if rng.random() < 0.1:  # a guest order: half of them use a client's e-mail
            billing_email = (
                shop.customers[customer_id].email
                if rng.random() < 0.5
                else f"invite{rng.randint(100, 999)}@{rng.choice(DOMAINS)}"
            )
            customer_id = 0
        was_paid = (
            status in PAID_STATUSES
            or status == "refunded"
            or (status == "trash" and rng.random() < 0.5)
        )
        paid_at = created + timedelta(minutes=rng.randint(0, 180)) if was_paid else None
        order = shop.add_order(
            customer_id,
            _pick_lines(rng),
            status="pending" if status == "refunded" else status,
            paid_at=paid_at,
            billing_email=billing_email,
            created_at=created,
            order_key="wc_order_" + "".join(rng.choices(KEY_CHARS, k=13)),
        )
        if order.paid is None and status in ("processing", "completed"):
            order.paid = created
        order.payment_method, order.payment_method_title = rng.choice(
            (("bacs", "Virement bancaire"), ("stripe", "Carte bancaire"), ("paypal", "PayPal"))
        )
        later = _later(rng, order.paid or created, anchor)
        if status == "refunded":
            order.status = "processing"
            if rng.random() < 0.5:
                shop.set_status(order.id, "refunded", at=later)
            else:
                shop.refund(
                    order.id,
                    {line.id: line.quantity for line in order.lines},
                    reason="Remboursement intégral",
                    at=later,
                )
        elif status == "completed" and rng.random() < 0.12:
            line = order.lines[0]
            if line.quantity > 1 or rng.random() < 0.6:
                shop.refund(order.id, {line.id: 1}, reason="Pack non utilisé", at=later)
            else:
                shop.refund(order.id, amount="20.00", reason="Geste commercial", at=later)
        elif status == "completed":
            order.completed = later
            order.modified = later
        order.version += 1


def _later(rng: random.Random, after: datetime, anchor: datetime) -> datetime:
    """A moment a few hours to a few weeks after ``after``, never after ``anchor``."""
    return min(after + timedelta(minutes=rng.randint(30, 60 * 24 * 20)), anchor)


def seed_shop(shop: ShopState, seed: int, clients: int, orders: int, anchor: datetime) -> None:
    rng = random.Random(seed)
    seed_products(shop, anchor)
    seed_users(shop, rng, clients, anchor)
    seed_orders(shop, rng, orders, anchor)
