"""The engine pauses Python's cyclic garbage collector while it allocates, and only then."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime

import pytest

from ledger.checks import InvalidLedgerInput
from ledger.engine import allocate
from tests.ledger.busy_client import CLIENT, NOW, POLICY, busy_story

STORY = busy_story(5_000)


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations the collector runs on while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def test_no_collection_runs_during_an_allocation_and_the_collector_resumes(
    collections: list[int],
) -> None:
    assert gc.isenabled()
    allocation = allocate(CLIENT, STORY.lots, STORY.entries, STORY.decisions, NOW, POLICY)
    # Thousands of new objects and no pass over the heap; at most the young generation's one
    # pass the resumed collector owes at once (without the pause: dozens, older ones too).
    assert collections in ([], [0])
    assert gc.isenabled()
    assert len(allocation.events) > 4_000


def test_refused_input_resumes_the_collector() -> None:
    with pytest.raises(InvalidLedgerInput):
        allocate(CLIENT, STORY.lots, STORY.entries, STORY.decisions, datetime(2026, 1, 1))
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    try:
        allocate(CLIENT, STORY.lots, STORY.entries, STORY.decisions, NOW, POLICY)
        assert not gc.isenabled()
    finally:
        gc.enable()
