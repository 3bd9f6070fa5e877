"""HTTP only: one session per remote, timeouts, retries, pagination, typed errors.

Callers use ``WooClient`` (the shop), ``ClientAreaClient`` (the WordPress plugin's namespace),
``diagnose_shop``/``diagnose_client_area`` (``doctor``) and catch the ``errors`` classes; they
never see a ``requests`` exception.
"""

from wp_client.client_area import ClientAreaClient
from wp_client.diagnose import Finding, diagnose_client_area, diagnose_shop
from wp_client.errors import (
    AuthenticationError,
    BadPayloadError,
    ConfigurationError,
    RemoteError,
    TransientError,
)
from wp_client.pagination import PageReader
from wp_client.woo import WooClient

__all__ = [
    "AuthenticationError",
    "BadPayloadError",
    "ClientAreaClient",
    "ConfigurationError",
    "Finding",
    "PageReader",
    "RemoteError",
    "TransientError",
    "WooClient",
    "diagnose_client_area",
    "diagnose_shop",
]
