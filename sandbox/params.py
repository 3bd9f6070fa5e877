"""Validation of REST arguments with WordPress's messages (``rest_validate_value_from_schema``).

A ``Params`` collects every problem of a request, in argument order, so the 400 names them all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sandbox.dates import parse_area_date, parse_filter_date
from sandbox.rest import PhpValue, Request, Response, invalid_params


def _enum_text(values: Sequence[str]) -> str:
    if len(values) == 1:
        return values[0]
    return (
        ", ".join(values[:-1]) + ", and " + values[-1] if len(values) > 2 else " and ".join(values)
    )


class Params:
    """Reads typed arguments from a request and remembers what was wrong."""

    def __init__(self, request: Request) -> None:
        self.raw = request.params
        self.problems: dict[str, tuple[str, str]] = {}

    def error(self) -> Response | None:
        return invalid_params(self.problems) if self.problems else None

    def _text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problems[name] = ("rest_invalid_type", f"{name} is not of type string.")
            return None
        return value

    def integer(
        self, name: str, default: int | None = None, *, minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:  # fmt: skip
        text = self._text(name)
        if text is None or (text == "" and default is not None):
            return default
        try:
            number = int(text.strip())
        except ValueError:
            self.problems[name] = ("rest_invalid_type", f"{name} is not of type integer.")
            return default
        low_bad = minimum is not None and number < minimum
        high_bad = maximum is not None and number > maximum
        if low_bad or high_bad:
            if minimum is not None and maximum is not None:
                message = f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
            elif minimum is not None:
                message = f"{name} must be greater than or equal to {minimum}"
            else:
                message = f"{name} must be less than or equal to {maximum}"
            self.problems[name] = ("rest_out_of_bounds", message)
            return default
        return number

    def choice(self, name: str, allowed: Sequence[str], default: str) -> str:
        text = self._text(name)
        if text is None:
            return default
        if text not in allowed:
            self.problems[name] = (
                "rest_not_in_enum",
                f"{name} is not one of {_enum_text(allowed)}.",
            )
            return default
        return text

    def listing(self, name: str) -> list[str] | None:
        """An array argument: ``a,b``, ``a[]=..`` or ``a[0]=..`` (``rest_sanitize_array``)."""
        value: PhpValue | None = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()] if value else []
        if isinstance(value, dict):
            return [str(v) for v in value.values()]
        return [str(v) for v in value]

    def choices(self, name: str, allowed: Sequence[str], default: list[str]) -> list[str]:
        items = self.listing(name)
        if items is None:
            return default
        for index, item in enumerate(items):
            if item not in allowed:
                message = f"{name}[{index}] is not one of {_enum_text(allowed)}."
                self.problems[name] = ("rest_not_in_enum", message)
                return default
        return items

    def integers(self, name: str) -> list[int] | None:
        items = self.listing(name)
        if items is None:
            return None
        out = []
        for index, item in enumerate(items):
            try:
                out.append(int(item))
            except ValueError:
                self.problems[name] = (
                    "rest_invalid_type",
                    f"{name}[{index}] is not of type integer.",
                )
                return None
        return out

    def boolean(self, name: str, default: bool = False) -> bool:
        text = self._text(name)
        if text is None:
            return default
        lowered = text.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        self.problems[name] = ("rest_invalid_type", f"{name} is not of type boolean.")
        return default

    def shop_date(self, name: str) -> datetime | None:
        """A WooCommerce date filter as shop-local wall time (see ``dates.parse_filter_date``)."""
        text = self._text(name)
        if text is None:
            return None
        parsed = parse_filter_date(text)
        if parsed is None:
            self.problems[name] = ("rest_invalid_date", "Invalid date.")
        return parsed

    def utc_date(self, name: str) -> datetime | None:
        """A client-area date filter: naive UTC (an offset, if any, honoured)."""
        text = self._text(name)
        if text is None:
            return None
        parsed = parse_area_date(text)
        if parsed is None:
            self.problems[name] = ("rest_invalid_date", "Invalid date.")
        return parsed


def page_count(total: int, per_page: int) -> int:
    return math.ceil(total / per_page) if total else 0
