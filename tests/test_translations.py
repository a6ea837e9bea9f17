"""Every string of ours is translated in every interface language: no empty and no
fuzzy entry in locale/*/LC_MESSAGES/django.po, and the compiled .mo is not older."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
PO_FILES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def entries(path: Path):
    """Yield (msgid, flags, translations) for each live entry of a .po file."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        lines = [
            line for line in block.strip().splitlines() if not line.startswith("#~")
        ]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid", "") == "":
            continue  # the header
        translations = [v for k, v in fields.items() if k.startswith("msgstr")]
        yield fields["msgid"], flags, translations


def test_every_interface_language_has_a_catalogue():
    assert {p.parts[-3] for p in PO_FILES} == {"es", "fr", "ar", "zh_Hans", "de", "ru"}


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-3])
def test_no_untranslated_or_fuzzy_entries(po):
    problems = [
        (msgid, "fuzzy" if "fuzzy" in flags else "untranslated")
        for msgid, flags, translations in entries(po)
        if "fuzzy" in flags or not translations or not all(translations)
    ]
    assert not problems, f"{po}: {problems[:20]}"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-3])
def test_compiled_catalogue_is_committed(po):
    assert po.with_suffix(".mo").exists(), f"run compilemessages for {po}"
