"""Settings and the pack catalog, validated at start-up. Imports nothing else of ours."""

from config.catalog import Catalog, DatedRate, Pack, load_catalog
from config.errors import ConfigError
from config.secret import Secret
from config.settings import Settings, load_settings

__all__ = [
    "Catalog",
    "ConfigError",
    "DatedRate",
    "Pack",
    "Secret",
    "Settings",
    "load_catalog",
    "load_settings",
]
