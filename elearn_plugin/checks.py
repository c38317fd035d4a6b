"""Django system checks: an invalid policy stops `migrate`, `runserver` and deployment init."""

from django.core.checks import Error, register


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
