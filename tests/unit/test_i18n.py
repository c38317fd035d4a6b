"""The Simplified Chinese catalogue is complete, compiles, ships compiled, and pages use it.

Written against whatever the catalogue holds: `make messages` refreshes it as strings are added.
"""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pytest
from django.utils import translation

import elearn_plugin

LOCALE_DIR = Path(elearn_plugin.__file__).resolve().parent / "locale"
LANGUAGES = ["zh_CN"]
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    plural: bool = False


def _unquote(line: str) -> str:
    # PO string escapes (\n, \", \\, \t) are a subset of JSON's.
    return json.loads(line)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete `#~` entries are left out: they are not in use)."""
    entries: list[Entry] = []
    current = Entry()
    target: str | None = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(current)
            current, target = Entry(), None
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            current.references.append(line[2:].strip())
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            current.plural, target = True, None
        elif line.startswith("msgid "):
            target, current.msgid = "msgid", _unquote(line[6:])
        elif line.startswith("msgstr"):
            target = "msgstr"
            current.msgstr += _unquote(line.split(" ", 1)[1])
        elif line.startswith('"') and target:
            setattr(current, target, getattr(current, target) + _unquote(line))
    return entries


def catalogues() -> list[Path]:
    return [
        LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
        for lang in LANGUAGES
        for domain in DOMAINS
    ]


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_catalogue_exists_with_compiled_twin(po: Path):
    # P-19: learners use the platform in Chinese; pip installs need the compiled .mo files.
    assert po.is_file(), f"missing catalogue {po}"
    assert po.with_suffix(".mo").is_file(), f"{po.name} is not compiled (run make messages)"


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_every_string_in_use_is_translated(po: Path):
    # P-19: no string in use is left untranslated or fuzzy (a fuzzy one is shown in English).
    entries = [e for e in parse_po(po) if e.msgid]
    header = [e for e in parse_po(po) if not e.msgid]
    assert header and "fuzzy" not in header[0].flags, "the catalogue header is still fuzzy"
    assert "Plural-Forms:" in header[0].msgstr
    untranslated = [e.msgid for e in entries if e.references and not e.msgstr]
    fuzzy = [e.msgid for e in entries if e.references and "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {po.name}: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy in {po.name}: {fuzzy[:20]}"


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_translations_keep_placeholders(po: Path):
    # A translation that loses %(name)s or {name} breaks the message at run time.
    wrong = [
        (e.msgid, e.msgstr)
        for e in parse_po(po)
        if e.msgid and e.msgstr and not e.plural
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]
    assert not wrong, f"placeholders differ: {wrong[:10]}"


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_catalogue_compiles_to_the_committed_mo(po: Path, tmp_path: Path):
    # The committed .mo must be the compilation of the committed .po (no stale translations).
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed: make system-deps")
    fresh = tmp_path / "fresh.mo"
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(fresh), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    with open(fresh, "rb") as new, open(po.with_suffix(".mo"), "rb") as committed:
        new_catalog = gettext.GNUTranslations(new)._catalog
        committed_catalog = gettext.GNUTranslations(committed)._catalog
    assert committed_catalog == new_catalog, f"{po.with_suffix('.mo').name} is stale"


def test_broken_catalogue_is_refused(tmp_path: Path):
    # Bad input: a catalogue whose translation drops a placeholder does not compile.
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed: make system-deps")
    po = tmp_path / "broken.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#, python-format\n"
        'msgid "Hello %(name)s"\nmsgstr "你好"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "b.mo"), str(po)], capture_output=True
    )
    assert result.returncode != 0
    assert PLACEHOLDER.findall("Hello %(name)s") != PLACEHOLDER.findall("你好")


@pytest.mark.django_db
def test_login_page_in_chinese_by_accept_language(client):
    # P-19: the learner's browser language picks the Chinese pages.
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-cn"' in body or 'lang="zh-hans"' in body
    assert "网络学院" in body  # "Online academy", from the plugin's own catalogue
    assert "登录" in body
    assert "Online academy" not in body


@pytest.mark.django_db
def test_login_page_in_chinese_by_language_cookie(client, settings):
    # P-19: the language chosen on the site (cookie) wins over the browser's.
    assert "Online academy" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-cn"
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "网络学院" in body
    assert "Online academy" not in body


@pytest.mark.django_db
def test_unknown_language_falls_back_to_english(client):
    # Bad input: a language the site does not offer gives the English page, not an error.
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="xx-YY")
    assert response.status_code == 200
    assert "Online academy" in response.content.decode()


def test_xblock_strings_come_from_the_plugin_catalogue():
    # The LMS's XBlock i18n service looks for <root package>/translations (domain "text") and,
    # finding none, falls back to Django's catalogues, which include ours (ADR 0002).
    with resources.as_file(resources.files("elearn_plugin") / "translations") as path:
        with pytest.raises(OSError):
            gettext.translation("text", str(path), ["zh_CN"])
    with translation.override("zh-cn"):
        assert translation.gettext("Online academy") == "网络学院"
