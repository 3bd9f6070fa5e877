"""The engine's Policy, built from the settings (the ledger never reads configuration itself)."""

from __future__ import annotations

from config import Settings
from ledger.domain import Policy


def policy_from_settings(settings: Settings) -> Policy:
    """Rounding and dated unit rates from the settings and the pack catalog."""
    rates = tuple(sorted((rate.since, rate.rate) for rate in settings.catalog.unit_rates))
    return Policy(
        rounding_minutes=settings.rounding_minutes, unit_rates=rates, timezone=settings.timezone
    )
