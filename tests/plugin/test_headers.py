"""The plugin's headers and readme state the WordPress and WooCommerce versions it is tested
with: those of the real shop the suite runs it in (tests/realshop/kit)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "wordpress" / "assist-client-area"


def versions_in_the_kit() -> tuple[str, str]:
    """(WordPress, WooCommerce) major.minor of the kit's site tree."""
    [tarball] = (ROOT / "tests" / "realshop" / "kit").glob("wordpress-*-woocommerce-*.tar.xz")
    found = re.fullmatch(
        r"wordpress-(\d+\.\d+)\.\d+-woocommerce-(\d+\.\d+)\.\d+\.tar\.xz", tarball.name
    )
    assert found, tarball.name
    return found.group(1), found.group(2)


def fields(text: str, pattern: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in re.finditer(pattern, text, re.M)}


def test_readme_and_header_name_the_versions_the_suite_tests() -> None:
    wordpress, woocommerce = versions_in_the_kit()
    readme = fields((PLUGIN / "readme.txt").read_text(), r"^([A-Za-z ]+): (.+)$")
    header = fields((PLUGIN / "assist-client-area.php").read_text(), r"^ \* ([A-Za-z ]+): +(.+)$")
    assert readme["Tested up to"] == wordpress
    assert readme["Requires at least"] == header["Requires at least"] == wordpress
    assert readme["WC tested up to"] == header["WC tested up to"] == woocommerce
    assert readme["WC requires at least"] == header["WC requires at least"] == woocommerce
    assert readme["Requires PHP"] == header["Requires PHP"]
    assert readme["Stable tag"] == header["Version"]
