"""The Vietnamese catalogue is complete, compiled and used."""

from pathlib import Path

import pytest

from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(po_text: str):
    """(msgid, msgstr, flags) per entry of a .po file, enough to check completeness."""
    entries, flags, current, field = [], "", {}, None
    for line in po_text.splitlines() + [""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append((current["msgid"], current.get("msgstr", ""), flags))
            current, flags, field = {}, "", None
        elif line.startswith("#,"):
            flags = line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid_plural", "msgctxt")):
            field = None
        elif line.startswith(("msgid ", "msgstr ", "msgstr[0] ")):
            field = "msgid" if line.startswith("msgid") else "msgstr"
            current[field] = line.split(" ", 1)[1].strip()[1:-1]
        elif line.startswith('"') and field:
            current[field] += line[1:-1]
    return entries


def test_catalogue_is_complete_and_has_no_fuzzy_entries():
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_catalogue_is_compiled_from_the_current_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists(), "run `make setup` (compilemessages)"
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime


def test_translation_is_active():
    with translation.override("vi"):
        assert translation.gettext("Sign in") == "Đăng nhập"


@pytest.mark.django_db
def test_page_renders_vietnamese(client):
    assert "Đăng nhập" in client.get("/accounts/login/").content.decode()
