"""The WordPress plugin's translations (wordpress/assist-client-area/languages/): the template
holds every string of the PHP sources, the French catalogue translates each of them, and the
compiled .mo is the .po as it stands. ``scripts/i18n`` regenerates all three."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ROOT / "wordpress" / "assist-client-area" / "languages"
POT = LANGUAGES / "assist-client-area.pot"
PO = LANGUAGES / "assist-client-area-fr_FR.po"
MO = LANGUAGES / "assist-client-area-fr_FR.mo"
PLACEHOLDER = re.compile(r"%(?:\d+\$)?[sdf]")

Key = tuple[str | None, str]


def keys(catalog: polib.POFile | polib.MOFile) -> set[Key]:
    return {(e.msgctxt, e.msgid) for e in catalog if e.msgid}


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    """The template extracted from the sources as they are now."""
    if shutil.which("xgettext") is None:
        unavailable("xgettext is missing (apt-get install gettext)")
    out = tmp_path_factory.mktemp("i18n") / "fresh.pot"
    done = subprocess.run(
        [str(ROOT / "scripts" / "i18n"), "--pot", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return polib.pofile(str(out))


def test_the_template_holds_every_string_of_the_sources(fresh_pot: polib.POFile) -> None:
    shipped = polib.pofile(str(POT))
    assert keys(fresh_pot) - keys(shipped) == set(), "new strings: run scripts/i18n"
    assert keys(shipped) - keys(fresh_pot) == set(), "strings gone from the code: run scripts/i18n"
    assert len(keys(fresh_pot)) > 100


def test_the_french_catalogue_translates_every_string_once() -> None:
    po = polib.pofile(str(PO))
    assert po.metadata["Language"] == "fr_FR"
    assert keys(po) == keys(polib.pofile(str(POT)))
    assert [e.msgid for e in po if not e.msgstr] == []
    assert [e.msgid for e in po if "fuzzy" in e.flags] == []
    assert po.obsolete_entries() == []
    for entry in po:
        # Same placeholders (numbered ones may move; plain ones keep their order).
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
            PLACEHOLDER.findall(entry.msgid)
        ), entry.msgid


def test_the_compiled_catalogue_is_the_french_one() -> None:
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if e.msgid}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po, "the .mo is stale: run scripts/i18n"


def test_the_plugin_header_declares_its_text_domain_and_folder() -> None:
    header = (ROOT / "wordpress" / "assist-client-area" / "assist-client-area.php").read_text()
    assert re.search(r"^ \* Text Domain: +assist-client-area$", header, re.M)
    assert re.search(r"^ \* Domain Path: +/languages$", header, re.M)


def test_every_translation_call_names_the_plugins_text_domain() -> None:
    """A call without the domain (or with another) would be looked up in WordPress' own."""
    plugin = ROOT / "wordpress" / "assist-client-area"
    call = re.compile(
        r"\b(?:__|_e|_x|_ex|_n|_nx|esc_html__|esc_html_e|esc_html_x|esc_attr__|esc_attr_e|esc_attr_x)"
        r"\(\s*((?:'(?:[^'\\]|\\.)*'\s*,?\s*)+)\)"
    )
    wrong = []
    for path in sorted(plugin.rglob("*.php")):
        for match in call.finditer(path.read_text()):
            if not match.group(1).rstrip().endswith(", 'assist-client-area'"):
                wrong.append(f"{path.relative_to(plugin)}: {match.group(0)[:80]}")
    assert wrong == []
