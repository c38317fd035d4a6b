"""Initial passwords of provisioned accounts (P-2): generated here, hashed before the import's
transaction, and handed to the caller's `password_sink` only (never a log or the report)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from elearn_plugin.conf import setting
from elearn_plugin.core.batching import chunked
from elearn_plugin.host.users import hash_passwords

# No 0/O/o, 1/l/I: passwords are handed out on paper and read aloud.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
MIN_PASSWORD_LENGTH = 12
CHUNK = 1000


@dataclass(frozen=True)
class IssuedPassword:
    """The initial password of a new account, for the hand-out file only."""

    employee_id: str
    username: str
    password: str


def generate_password(length: int | None = None) -> str:
    """A random password of unambiguous characters with upper, lower case and digits."""
    if length is None:
        length = setting("ELEARN_PASSWORD_LENGTH")
    length = max(MIN_PASSWORD_LENGTH, int(length))
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(length))
        if (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def prehash_passwords(usernames: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Passwords and their hashes for the usernames not taken yet (by casefolded name),
    computed before the import's transaction: PBKDF2 is most of an import's time, and no lock
    is held meanwhile. A row that is new only inside the transaction is hashed there."""
    names = {name for name in usernames if name}
    taken: set[str] = set()
    for chunk in chunked(sorted(names), CHUNK):
        users = get_user_model().objects.filter(username__in=chunk)
        taken.update(name.casefold() for name in users.values_list("username", flat=True))
    new = sorted({name.casefold() for name in names} - taken)
    passwords = [generate_password() for _name in new]
    return dict(zip(new, zip(passwords, hash_passwords(passwords), strict=True), strict=True))
