"""Django system checks: an invalid policy stops `migrate`, `runserver` and deployment init."""

from django.core.checks import Error, register

from elearn_plugin.conf import setting

# ELEARN_RULES_RUNNER: the month close's chunks in the calling process, or as Celery tasks.
RULES_RUNNERS = ("inline", "celery")


@register()
def check_policy(app_configs=None, **kwargs) -> list[Error]:
    """Report every error of the configured policy file as a system-check error."""
    from elearn_plugin.policy.runtime import load_configured_policy  # noqa: PLC0415
    from elearn_plugin.policy.schema import PolicyError  # noqa: PLC0415

    try:
        load_configured_policy(use_cache=False)
    except PolicyError as exc:
        return [
            Error(
                str(problem),
                hint="Fix the policy file named by ELEARN_POLICY_FILE"
                " (manage.py elearn_check_policy lists every problem).",
                id="elearn.E001",
            )
            for problem in exc.problems
        ]
    return []


@register()
def check_audit_key(app_configs=None, **kwargs) -> list[Error]:
    """Without a key the trail cannot be sealed: an error where production settings ran.

    The plugin's production settings set `ELEARN_AUDIT_KEY_REQUIRED`; the image build's
    settings, the test settings and the dev site do not run them.
    """

    if not setting("ELEARN_AUDIT_KEY_REQUIRED"):
        return []
    key = setting("ELEARN_AUDIT_KEY")
    if not isinstance(key, str) or len(key) < 16:
        return [
            Error(
                "ELEARN_AUDIT_KEY is not set (or shorter than 16 characters): the audit trail "
                "cannot be sealed, so edits made by hand would go unnoticed.",
                hint="Set ELEARN_AUDIT_KEY to a long random secret kept outside the database "
                "(the Tutor plugin generates one); keep old keys in ELEARN_AUDIT_RETIRED_KEYS.",
                id="elearn.E002",
            )
        ]
    return []


@register()
def check_rules_runner(app_configs=None, **kwargs) -> list[Error]:
    """`ELEARN_RULES_RUNNER` names a way to run the month close's chunks."""
    runner = setting("ELEARN_RULES_RUNNER")
    if runner in RULES_RUNNERS:
        return []
    return [
        Error(
            f"ELEARN_RULES_RUNNER is {runner!r}: it must be one of "
            + ", ".join(f'"{name}"' for name in RULES_RUNNERS)
            + ".",
            hint='Use "inline" to run the month close in the calling process, or "celery" to'
            " fan its chunks out to Celery workers.",
            id="elearn.E003",
        )
    ]
