"""docs/configuration.md documents exactly the keys the loader reads and the default file holds."""

import re
from pathlib import Path

import yaml

from elearn_plugin.policy.loader import policy_keys
from tests.unit.policy.helpers import DEFAULT_TEXT

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"
ROW_KEY = re.compile(r"^\| `([a-z_\[\].]+)` \|", re.MULTILINE)


def documented_keys() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    policy_part = text.split("## Django settings")[0]
    return ROW_KEY.findall(policy_part)


def default_file_keys() -> set[str]:
    def walk(node, prefix):
        if isinstance(node, dict):
            for name, value in node.items():
                yield from walk(value, f"{prefix}{name}.")
        elif isinstance(node, list) and node and isinstance(node[0], dict):
            yield prefix[:-1]
            for item in node:
                yield from walk(item, f"{prefix[:-1]}[].")
        else:
            yield prefix[:-1]

    return set(walk(yaml.safe_load(DEFAULT_TEXT), ""))


def test_every_policy_key_is_documented_once():
    documented = documented_keys()
    assert sorted(documented) == sorted(set(documented)), "a key is documented twice"
    assert set(policy_keys()) - set(documented) == set()


def test_every_documented_key_exists():
    assert set(documented_keys()) - set(policy_keys()) == set()


def test_default_file_has_every_key():
    assert default_file_keys() == set(policy_keys())


def test_every_row_names_a_policy_id_or_none():
    text = DOC.read_text(encoding="utf-8").split("## Django settings")[0]
    rows = [line for line in text.splitlines() if ROW_KEY.match(line)]
    for row in rows:
        assert re.search(r"\| (P-\d+|—)[^|]*\|$", row), row


def test_settings_read_by_the_policy_are_documented():
    text = DOC.read_text(encoding="utf-8").split("## Django settings")[1]
    assert "| `ELEARN_POLICY_FILE` |" in text
