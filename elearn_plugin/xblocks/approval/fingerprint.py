"""The fingerprint of what an approval gate holds: the same for Studio's draft and the LMS's
published copy of the same content, different after any edit (P-11).

A digest of every descendant's type, id and explicitly set content and settings fields (not
inherited values or defaults, which differ between the two runtimes), read through the
child keys rather than `get_children()`, which the LMS filters per learner.
"""

from __future__ import annotations

import hashlib
import json

from xblock.fields import Scope

PREFIX = "c1:"
_SKIPPED = frozenset({"children", "parent", "xml_attributes", "edited_on", "published_on"})


def _block_id(block) -> str:
    usage = block.scope_ids.usage_id
    return str(getattr(usage, "block_id", usage))


def _fields(block) -> list:
    out = []
    for name, field in sorted(block.fields.items()):
        if name in _SKIPPED or field.scope not in (Scope.content, Scope.settings):
            continue
        if not field.is_set_on(block):
            continue
        out.append([name, field.to_json(field.read_from(block))])
    return out


def fingerprint(block) -> str:
    """The digest of the gate's content (not of the gate itself, whose title may change)."""
    digest = hashlib.sha256()
    pending = [(0, key) for key in reversed(list(getattr(block, "children", []) or []))]
    while pending:
        depth, key = pending.pop()
        child = block.runtime.get_block(key)
        record = [depth, child.scope_ids.block_type, _block_id(child), _fields(child)]
        digest.update(json.dumps(record, sort_keys=True, default=str).encode("utf-8"))
        for grandchild in reversed(list(getattr(child, "children", []) or [])):
            pending.append((depth + 1, grandchild))
    return PREFIX + digest.hexdigest()[:40]
