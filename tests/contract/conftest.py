"""The WooCommerce contract's shops: the sandbox, the real shop over http (OAuth 1.0a) and the
real shop over https (Basic auth, its own CA). Every test asking for ``contract_shop`` runs on
each of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.contract.shops import ContractShop, RealShop, SandboxShop
from tests.wordpress.site import WordPressSite

SHOPS = [
    "sandbox",
    pytest.param("real-http", marks=pytest.mark.wordpress),
    pytest.param("real-https", marks=pytest.mark.wordpress),
]


@pytest.fixture(scope="module", params=SHOPS)
def contract_shop(request: pytest.FixtureRequest) -> Iterator[ContractShop]:
    """One shop for the module: a sandbox of its own, or the session's real shop (shared: make
    your own customers and read back only your own orders)."""
    if request.param == "sandbox":
        shop: ContractShop = SandboxShop(Sandbox(seed=3, clients=0, orders=0).start())
    else:
        name = "wordpress" if request.param == "real-http" else "wordpress_tls"
        site: WordPressSite = request.getfixturevalue(name)
        shop = RealShop(site.shop)
    try:
        yield shop
    finally:
        shop.close()
