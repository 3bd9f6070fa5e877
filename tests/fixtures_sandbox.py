"""pytest fixtures that start the sandbox shop and client area on loopback.

``sandbox``: seeded with a small data set (seed 7, 12 clients, 40 orders), started before the
test and stopped after. ``empty_sandbox``: the same catalogue and users, no orders, no tickets.
Both are function-scoped: a test may mutate the shop and switch faults on freely.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=7, clients=12, orders=40) as sb:
        yield sb


@pytest.fixture
def empty_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=7, clients=12, orders=0) as sb:
        yield sb
