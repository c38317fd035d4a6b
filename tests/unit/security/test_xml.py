"""OLX parsing refuses entities and document types, without expanding them (P-32).

The tracked video reads OLX only through `parse_xml` (a node the host's runtime parsed). It
must refuse an external entity (XXE), an external DTD and an entity bomb (billion laughs);
nothing of the referenced file may appear anywhere.
"""

from __future__ import annotations

import time

import pytest
from lxml import etree

from elearn_plugin.xblocks.tracked_video.block import OlxError
from tests.unit.video.test_block import _Runtime

MARKER = "p32-secret-marker-4711"

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<elearn_video display_name="&lol9;" duration="5"><source src="/a.mp4"/></elearn_video>"""


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(MARKER, encoding="utf-8")
    return path


def _xxe(path) -> str:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE elearn_video [<!ENTITY secret SYSTEM "file://{path}">]>\n'
        '<elearn_video display_name="&secret;" duration="5">'
        '<source src="/a.mp4"/></elearn_video>'
    )


def _external_dtd(path) -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE elearn_video SYSTEM "file://{path}">\n'
        '<elearn_video duration="5"><source src="/a.mp4"/></elearn_video>'
    )


# P-32: a node the host's runtime parsed is refused by the block: XXE, external DTD, bomb
@pytest.mark.parametrize("kind", ["xxe", "dtd", "laughs"])
def test_runtime_import_refuses_without_expanding(secret_file, kind):
    runtime = _Runtime()
    text = {"xxe": _xxe(secret_file), "dtd": _external_dtd(secret_file), "laughs": LAUGHS}[kind]
    started = time.monotonic()
    with pytest.raises((OlxError, etree.XMLSyntaxError)) as refused:
        runtime.parse_xml_string(text)
    assert time.monotonic() - started < 2, "the bomb was expanded"
    assert MARKER not in str(refused.value)
    assert "lollollol" not in str(refused.value)


# P-32: even a host parser that resolves entities gets the document refused by the block
def test_block_refuses_a_node_whose_entities_a_permissive_parser_expanded(secret_file):
    from elearn_plugin.xblocks.tracked_video.block import TrackedVideoBlock

    permissive = etree.XMLParser(resolve_entities=True, no_network=True)
    node = etree.fromstring(
        b'<!DOCTYPE x [<!ENTITY a "expanded">]>'
        b'<elearn_video display_name="&a;" duration="5"><source src="/a.mp4"/></elearn_video>',
        permissive,
    )
    with pytest.raises(OlxError):
        TrackedVideoBlock.parse_xml(node, _Runtime(), None)


# P-32: well-formed OLX without a DTD still imports (the refusals are not blanket ones)
def test_plain_olx_still_parses():
    runtime = _Runtime()
    usage = runtime.parse_xml_string(
        '<elearn_video duration="5"><source src="/a.mp4"/></elearn_video>'
    )
    assert runtime.get_block(usage).duration == 5.0


# Modules allowed to parse XML, each refusing DTDs and entities (tested above).
XML_PARSING_MODULES = {"xblocks/tracked_video/block.py"}


# P-32: a new XML parser elsewhere in the package must be added here with its tests
def test_xml_is_parsed_only_where_entities_are_refused():
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[3] / "elearn_plugin"
    pattern = re.compile(
        r"^\s*(from|import)\s+(lxml|xml\.|xml\b|defusedxml|xmltodict)", re.MULTILINE
    )
    found = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    }
    assert found == XML_PARSING_MODULES, f"XML parsed in {sorted(found)}"
