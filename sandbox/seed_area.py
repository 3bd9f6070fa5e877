"""Seeded tickets and time entries for the clients who hold packs.

For each client with paid pack orders: a few tickets with French titles, entries of every kind
after the first payment, an overall use between a third and 130 % of the hours bought (so some
clients overrun), some open tickets with an estimate, a few decisions already taken.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sandbox.area import ClientAreaState
from sandbox.seed import PACK_MINUTES
from sandbox.shop import ShopState
from sandbox.shop_model import PAID_STATUSES

TITLES = (
    "Mise à jour de la page d'accueil", "Ajouter une page Tarifs",
    "Corriger le formulaire de contact",
    "Changer les horaires d'ouverture", "Optimiser les images de la galerie",
    "Ajouter un bandeau de promotion", "Mettre à jour les mentions légales",
    "Créer une actualité pour le salon", "Remplacer le logo dans l'en-tête",
    "Corriger l'affichage sur mobile", "Former l'équipe à l'éditeur de blocs",
    "Ajouter un produit à la boutique", "Traduire la page À propos en anglais",
    "Mettre en place la newsletter", "Réorganiser le menu principal",
    "Vérifier le référencement des fiches produits", "Ajouter des témoignages clients",
    "Intégrer la carte Google Maps", "Préparer les soldes d'été", "Revoir la page Équipe",
)  # fmt: skip
NOTES = {
    "production": ("Mise en page", "Intégration du contenu", "Création de la section", "Réglages"),
    "correction": ("Correction CSS", "Correctif après retour client", "Liens cassés réparés"),
    "training": ("Formation en visio", "Prise en main de l'éditeur", "Tutoriel personnalisé"),
    "exchange": ("Échange par e-mail", "Point téléphonique", "Brief en visio"),
}
STAFF_AUTHORS = (1, 3)


def _bought_minutes(shop: ShopState) -> dict[int, tuple[int, datetime]]:
    """Minutes of pack bought per client (paid orders, default catalog) and the first payment."""
    bought: dict[int, tuple[int, datetime]] = {}
    for order in shop.orders.values():
        if order.customer_id == 0 or order.status not in PAID_STATUSES or order.paid is None:
            continue
        minutes = sum(PACK_MINUTES.get(line.sku, 0) * line.quantity for line in order.lines)
        if minutes:
            total, first = bought.get(order.customer_id, (0, order.paid))
            bought[order.customer_id] = (total + minutes, min(first, order.paid))
    return bought


def seed_area(area: ClientAreaState, shop: ShopState, seed: int, anchor: datetime) -> None:
    rng = random.Random(f"area-{seed}")
    for client_id, (bought, first_paid) in sorted(_bought_minutes(shop).items()):
        budget = int(bought * rng.uniform(0.3, 1.3))
        span = max(int((anchor - first_paid).total_seconds()), 3600)
        for _ in range(12):  # tickets until the client's budget of time is spent
            if budget <= 0:
                break
            start = first_paid + timedelta(seconds=rng.randrange(0, span))
            done = rng.random() < 0.7
            ticket = area.add_ticket(
                client_id,
                rng.choice(TITLES),
                status=rng.choice(("done", "closed")) if done else "in_progress",
                at=start,
            )
            moment = start
            for _ in range(rng.randint(1, 4)):
                kind = rng.choices(
                    ("production", "correction", "training", "exchange"), (55, 20, 10, 15)
                )[0]
                minutes = rng.choice((15, 20, 30, 45, 60, 75, 90, 120))
                moment = min(moment + timedelta(minutes=rng.randint(30, 60 * 24 * 3)), anchor)
                entry = area.add_entry(
                    ticket.id,
                    kind,
                    minutes,
                    performed_at=moment,
                    note=rng.choice(NOTES[kind]),
                    author_id=rng.choice(STAFF_AUTHORS),
                    at=min(moment + timedelta(minutes=rng.randint(5, 240)), anchor),
                )
                ticket.modified = max(ticket.modified, entry.modified)
                if kind != "exchange":
                    budget -= minutes
                if budget <= 0:
                    break
        if rng.random() < 0.6:  # an open ticket with an estimate, sometimes above what is left
            opened = anchor - timedelta(hours=rng.randint(2, 24 * 20))
            ticket = area.add_ticket(
                client_id,
                rng.choice(TITLES),
                estimate_minutes=rng.choice((60, 90, 120, 180, 240, 360)),
                at=opened,
            )
            if rng.random() < 0.25:
                area.decide(
                    ticket.id, rng.choice(("buy_pack", "bill")), at=opened + timedelta(hours=1)
                )
