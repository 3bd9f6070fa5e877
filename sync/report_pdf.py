"""Printing an intervention report: Jinja2 renders ``templates/report.html``, WeasyPrint turns
it into an A4 PDF. The same report always gives the same bytes (see ``_font_timestamp``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ledger.french import (
    format_amount,
    format_date,
    format_datetime,
    format_duration,
    format_long_date,
)
from sync.report_data import ReportData

TEMPLATES = Path(__file__).with_name("templates")

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(duration=format_duration, amount=format_amount)


def render_report_html(report: ReportData) -> str:
    """The report as HTML (the template the PDF is printed from)."""
    tz = report.timezone
    return _env.get_template("report.html").render(
        r=report,
        date=lambda moment: format_date(moment, tz),
        datetime=lambda moment: format_datetime(moment, tz),
        long_date=lambda moment: format_long_date(moment, tz),
    )


def render_report_pdf(report: ReportData) -> bytes:
    """The report as PDF bytes (A4, French). Same report, same bytes."""
    from weasyprint import CSS, HTML  # imported here: loading it takes a moment

    html = HTML(string=render_report_html(report), base_url=str(TEMPLATES))
    with _font_timestamp(report.generated_at):
        pdf = html.write_pdf(stylesheets=[CSS(filename=str(TEMPLATES / "report.css"))])
    assert isinstance(pdf, bytes)
    return pdf


_epoch_lock = threading.Lock()


@contextmanager
def _font_timestamp(moment: datetime) -> Iterator[None]:
    """Stamp embedded font subsets with ``moment`` instead of the wall clock.

    fontTools writes the current time into each font subset it saves unless the reproducible-
    builds variable ``SOURCE_DATE_EPOCH`` is set; without this two renders of one report would
    differ and the client area could not recognise an upload it already has.
    """
    with _epoch_lock:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before
