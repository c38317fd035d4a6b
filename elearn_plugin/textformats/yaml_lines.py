"""YAML (and JSON) with every key given once; YAML mappings and sequences with their lines.

One rule for duplicate keys, `unique_keys`, behind two loaders:

- `LineLoader` keeps going: its `MarkedMap` and `MarkedList` remember the line of each key
  and item and collect the keys written twice (or that cannot be keys) for the caller to
  report all at once, with their lines. It reads an unquoted 16:30 as the text "16:30", not
  as the YAML 1.1 base-60 number 990, and a date that YAML recognises but cannot build
  (2026-13-01) as an `InvalidScalar`. Used for the policy file.
- `UniqueKeyLoader` is `yaml.SafeLoader` (plain dicts and lists, `<<` merge keys) except that
  the first key written twice raises `DuplicateKeyError`, and a key that is not a plain
  value `UnhashableKeyError`. Used for the data file, with `unique_json_object` for JSON.

Pure module (no Django).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import yaml

__all__ = [
    "DuplicateKeyError",
    "InvalidScalar",
    "LineLoader",
    "MarkedList",
    "MarkedMap",
    "UnhashableKeyError",
    "UniqueKeyLoader",
    "unique_json_object",
    "unique_keys",
]


class DuplicateKeyError(Exception):
    """A key is given twice in one mapping; `line`s are 1-based (None in JSON)."""

    def __init__(self, key: Any, line: int | None = None, first_line: int | None = None):
        super().__init__(f"the key {key!r} is given twice")
        self.key = key
        self.line = line
        self.first_line = first_line


class UnhashableKeyError(Exception):
    """A mapping key is itself a mapping or a list."""

    def __init__(self, line: int):
        super().__init__(f"line {line}: a mapping key must be a plain value")
        self.line = line


def unique_keys(
    loader: yaml.SafeLoader,
    node: yaml.MappingNode,
    *,
    deep: bool,
    on_duplicate: Callable[[Any, int, int], object],
    on_unhashable: Callable[[int], object],
) -> Iterator[tuple[Any, int, yaml.Node]]:
    """(key, line, value node) of each key of a mapping node the first time it is given.

    A key given again goes to `on_duplicate(key, line, first_line)`, a key that cannot be a
    key (a mapping, a list) to `on_unhashable(line)`, instead of being yielded. Keys are
    built one at a time, so that the caller may build each value before the next key.
    """
    first: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            on_unhashable(line)
            continue
        if key in first:
            on_duplicate(key, line, first[key])
            continue
        first[key] = line
        yield key, line, value_node


# --- keep going, with lines ---------------------------------------------------------------


class MarkedMap(dict):
    """A YAML mapping that remembers the line of each key and the keys written twice."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []
        self.unhashable_lines: list[int] = []


class MarkedList(list):
    """A YAML sequence that remembers the line of each item."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


class InvalidScalar:
    """A scalar YAML recognised (a date) but could not build (2026-13-01)."""

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason

    def __repr__(self) -> str:
        return self.text


class _ValueErrorsAsYamlErrors:
    """A value YAML recognises but cannot build (`!!int abc`, `!!timestamp nope`, the date
    2026-13-01) is a `ConstructorError` at its line, reported like any other YAML error,
    never a bare ValueError or AttributeError escaping to the command line."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read the value {node.value!r:.40} ({type(exc).__name__})",
                node.start_mark,
            ) from None


class LineLoader(_ValueErrorsAsYamlErrors, yaml.SafeLoader):
    """SafeLoader keeping line numbers, collecting duplicate keys and reading 16:30 as text."""


def _construct_marked_map(loader: LineLoader, node: yaml.MappingNode):
    data = MarkedMap()
    data.line = node.start_mark.line + 1
    yield data
    pairs = unique_keys(
        loader,
        node,
        deep=True,
        on_duplicate=lambda key, line, _first: data.duplicates.append((key, line)),
        on_unhashable=data.unhashable_lines.append,
    )
    for key, line, value_node in pairs:
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


def _construct_marked_list(loader: LineLoader, node: yaml.SequenceNode):
    data = MarkedList()
    data.line = node.start_mark.line + 1
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.lines.append(child.start_mark.line + 1)


def _construct_number(loader: LineLoader, node: yaml.ScalarNode):
    # YAML 1.1 reads an unquoted 16:30 as the base-60 number 990; keep it as the text.
    if ":" in node.value:
        return str(node.value)
    if node.tag.endswith(":int"):
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    return yaml.SafeLoader.construct_yaml_float(loader, node)


def _construct_timestamp(loader: LineLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        return InvalidScalar(str(node.value), str(exc))


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_marked_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_marked_list)
LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_number)
LineLoader.add_constructor("tag:yaml.org,2002:float", _construct_number)
LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# --- stop at the first duplicate, plain values ------------------------------------------------


class UniqueKeyLoader(_ValueErrorsAsYamlErrors, yaml.SafeLoader):
    """yaml.safe_load, except that a key given twice in one mapping raises DuplicateKeyError."""


def _raise_duplicate(key: Any, line: int, first_line: int) -> None:
    raise DuplicateKeyError(key, line, first_line)


def _raise_unhashable(line: int) -> None:
    raise UnhashableKeyError(line)


def _construct_unique_map(loader: UniqueKeyLoader, node: yaml.MappingNode):
    # Every key of this mapping is checked before any of its values is built.
    loader.flatten_mapping(node)
    for _pair in unique_keys(
        loader, node, deep=False, on_duplicate=_raise_duplicate, on_unhashable=_raise_unhashable
    ):
        pass
    return loader.construct_mapping(node)


UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_map
)


def unique_json_object(pairs: list[tuple[str, Any]]) -> dict:
    """`object_pairs_hook` for json.loads: a key given twice raises DuplicateKeyError."""
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result
