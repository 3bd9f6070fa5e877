"""A local shop and client area that behave like WooCommerce and the plugin, with faults."""

from sandbox.area import ClientAreaState
from sandbox.faults import Faults
from sandbox.server import RequestRecord, Sandbox
from sandbox.shop import ShopState

__all__ = ["ClientAreaState", "Faults", "RequestRecord", "Sandbox", "ShopState"]
