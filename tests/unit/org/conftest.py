"""Fixtures of the org suite: a small unit tree and job roles.

Built as the principal `system:fixtures`, so that tests marked `no_principal` (which prove
that their code attributes its own changes) can use them too.
"""

import pytest

from elearn_plugin import audit
from elearn_plugin.org import services


@pytest.fixture
def tree(db):
    """group -> (hq -> sales, sub -> sub_it)."""
    with audit.acting_as("system:fixtures"):
        group, _ = services.create_unit("group", "Group", kind="subsidiary")
        hq, _ = services.create_unit("hq", "Headquarters", parent_id=group.id)
        sales, _ = services.create_unit("sales", "Sales", parent_id=hq.id)
        sub, _ = services.create_unit("sub", "Subsidiary", parent_id=group.id, kind="subsidiary")
        sub_it, _ = services.create_unit("sub-it", "Subsidiary IT", parent_id=sub.id)
    return {"group": group, "hq": hq, "sales": sales, "sub": sub, "sub_it": sub_it}


@pytest.fixture
def roles(db):
    with audit.acting_as("system:fixtures"):
        clerk, _ = services.upsert_job_role("clerk", "Clerk")
        engineer, _ = services.upsert_job_role("engineer", "Engineer")
    return {"clerk": clerk, "engineer": engineer}
