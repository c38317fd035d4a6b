"""Which of the given user ids have no account: the services refuse a batch that names one."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from elearn_plugin.core.batching import chunked

CHUNK_SIZE = 1000


def missing_user_ids(user_ids: Iterable[int]) -> set[int]:
    """The ids among `user_ids` without a user row; one query per chunk of ids."""
    wanted = set(user_ids)
    found: set[int] = set()
    user_model = get_user_model()
    for chunk in chunked(sorted(wanted), CHUNK_SIZE):
        found.update(user_model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return wanted - found
