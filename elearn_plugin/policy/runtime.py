"""The configured policy for the running site: `settings.ELEARN_POLICY_FILE`, cached.

The cache is keyed by the file's path and modification time, so an edited file is read
again without a restart; an invalid file is never replaced by defaults.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from django.conf import settings

from elearn_plugin.policy.loader import load_policy
from elearn_plugin.policy.schema import Policy, PolicyError, PolicyNotConfigured, PolicyProblem

SETTING = "ELEARN_POLICY_FILE"

_lock = threading.Lock()
# (path, mtime_ns, size) -> the policy or the error it raised; only the latest is kept.
_cache: dict[tuple[str, int, int], Policy | PolicyError] = {}


def configured_path() -> Path:
    """The policy file named by the setting; `PolicyError` naming the setting if unusable."""
    value = getattr(settings, SETTING, None)
    if not value:
        raise PolicyError(
            [PolicyProblem("settings", None, SETTING, "the setting is not set: name a policy file")]
        )
    path = Path(os.fspath(value))
    if not path.is_file():
        raise PolicyError(
            [
                PolicyProblem(
                    str(path), None, SETTING, "the policy file named by the setting does not exist"
                )
            ]
        )
    return path


def load_configured_policy(use_cache: bool = True) -> Policy:
    """Load the configured policy; raises `PolicyError` with every problem of the file."""
    path = configured_path()
    if not use_cache:
        return load_policy(path)
    try:
        stat = path.stat()
    except OSError:
        return load_policy(path)  # reports the reason with the file name
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(key)
    if cached is None:
        try:
            cached = load_policy(path)
        except PolicyError as exc:
            cached = exc
        with _lock:
            _cache.clear()
            _cache[key] = cached
    if isinstance(cached, PolicyError):
        raise PolicyError(cached.problems)
    return cached


def get_policy() -> Policy:
    """The configured policy; raises `PolicyNotConfigured` (with the problems) if invalid."""
    try:
        return load_configured_policy()
    except PolicyError as exc:
        raise PolicyNotConfigured(exc.problems) from exc


def file_digest(path: str | Path | None = None) -> str:
    """SHA-256 of a policy file's bytes (the configured one by default): the content hash a
    closed month and the `policy.activated` audit event record."""
    return hashlib.sha256(Path(path or configured_path()).read_bytes()).hexdigest()


def reset_policy_cache() -> None:
    """Forget the cached policy (tests, or after replacing a file within one mtime tick)."""
    with _lock:
        _cache.clear()
