"""JSON read within limits: too deep, huge numbers and NaN are malformed answers, not crashes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wp_client.conftest import API
from wp_client.bodies import MAX_JSON_DEPTH, NotJson, decode_json, nested_deeper_than
from wp_client.errors import BadPayloadError, RemoteError
from wp_client.woo import WooClient

ORDER = f"{API}/orders/1"


def answer(rsps: responses.RequestsMock, body: bytes, status: int = 200) -> None:
    rsps.add("GET", ORDER, body=body, status=status, content_type="application/json")


def nested(depth: int) -> bytes:
    return b'{"id": 1, "meta": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"[" * 100_000, "nested deeper than 128 levels"),
        (b'{"id": 1, "quantity": ' + b"9" * 5000 + b"}", "a number of more than 100 digits"),
        (b'{"id": 1, "total": NaN}', "NaN, which is not JSON"),
        (b'{"id": 1, "total": -Infinity}', "-Infinity, which is not JSON"),
        (b'{"id": 1, "total": 1e999}', "the number 1e999 is out of range"),
    ],
    ids=["deep", "huge-int", "nan", "infinity", "overflow"],
)
def test_a_hostile_json_body_is_a_typed_error_with_one_line(
    rsps: responses.RequestsMock, woo: WooClient, body: bytes, problem: str
) -> None:
    answer(rsps, body)
    with pytest.raises(BadPayloadError) as caught:
        woo.get_order(1)
    assert str(caught.value) == (f"{ORDER} answered malformed JSON ({problem}; status 200)"), (
        caught.value
    )
    assert caught.value.reason == "json"


def test_an_error_answer_nested_too_deep_still_says_its_status(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    answer(rsps, b'{"code": "x", "data": ' + b"[" * 100_000, status=400)
    with pytest.raises(RemoteError) as caught:
        woo.get_order(1)
    assert caught.value.status == 400 and str(caught.value).startswith("WooCommerce answered 400")


def test_nesting_up_to_the_limit_is_read(rsps: responses.RequestsMock, woo: WooClient) -> None:
    answer(rsps, nested(MAX_JSON_DEPTH))
    order = woo.get_order(1)
    assert order is not None and order["id"] == 1
    answer(rsps, nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(BadPayloadError, match="nested deeper than 128 levels"):
        woo.get_order(1)


def test_big_but_sane_numbers_are_read() -> None:
    body = b"[18446744073709551616, -1.5e300, 1E-300, 0, " + b"9" * 100 + b"]"
    assert decode_json(body, "application/json") == [2**64, -1.5e300, 1e-300, 0, 10**100 - 1]


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


# Strings full of what could fool a scanner: brackets, quotes, backslashes, escapes.
tricky = st.text(alphabet='[]{}"\\/ \nab\u00e9\u2028', max_size=6)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky, inner, max_size=3),
    max_leaves=40,
)


@settings(max_examples=300)
@given(value=values, limit=st.integers(min_value=0, max_value=8))
def test_the_depth_scan_agrees_with_the_parsed_structure(value: Any, limit: int) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, indent=1)):
        assert nested_deeper_than(text.encode(), limit) == (depth(value) > limit)


@given(junk=st.binary(max_size=300))
def test_any_bytes_parse_or_raise_not_json(junk: bytes) -> None:
    with contextlib.suppress(NotJson):
        decode_json(junk, "application/json")
