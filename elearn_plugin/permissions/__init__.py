"""Who may do what, and to whom (P-31).

Every endpoint asks `check`/`require` with an `Action` and, when it acts on someone or
something, a target. A rule says which roles may do an action and how far each role reaches:
everywhere, the units a training contact covers, the learner's own records, or the courses a
publisher is staff of. Later capabilities add their own actions with `register`.

`rules` holds the rule table, `roles` and `role_facts` a user's roles and their cache,
`scope` the targets and the checks, `adapters` the Django and DRF side; the names below are
the package's interface (ADR 0001, ADR 0003).
"""

from elearn_plugin.permissions.adapters import (
    ElearnPermission,
    ElearnRequiredMixin,
    elearn_required,
    is_blocked,
)
from elearn_plugin.permissions.role_facts import connect_role_receivers, invalidate_roles
from elearn_plugin.permissions.roles import (
    HR_GROUP,
    PUBLISHER_GROUP,
    REVIEWER_GROUP,
    forget_roles,
    roles_of,
)
from elearn_plugin.permissions.rules import Action, Role, Scope, register, rules_for
from elearn_plugin.permissions.scope import (
    ANY,
    CourseTarget,
    UnitTarget,
    check,
    reach_of,
    require,
)

__all__ = [
    "ANY",
    "HR_GROUP",
    "PUBLISHER_GROUP",
    "REVIEWER_GROUP",
    "Action",
    "CourseTarget",
    "ElearnPermission",
    "ElearnRequiredMixin",
    "Role",
    "Scope",
    "UnitTarget",
    "check",
    "connect_role_receivers",
    "elearn_required",
    "forget_roles",
    "invalidate_roles",
    "is_blocked",
    "reach_of",
    "register",
    "require",
    "roles_of",
    "rules_for",
]
