"""Tutor plugin: elearn-plugin in the Open edX image, its settings, and its tick on a schedule.

Enable it without installing anything: `TUTOR_PLUGINS_ROOT=<repo>/conf/tutor tutor plugins
enable elearn && tutor config save`. Settings an operator may change (`tutor config save --set`):
ELEARN_PIP_REQUIREMENT, ELEARN_POLICY_FILE, ELEARN_HOST_ADAPTERS, ELEARN_TICK_SCHEDULE.
"""

from tutor import hooks

__version__ = "0.1.0"

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [
        # What `pip install` gets: a version pin, or a path/URL of a built wheel.
        ("ELEARN_PIP_REQUIREMENT", "elearn-plugin"),
        # Empty = the policy file shipped in the package (elearn_plugin/policy/default.yaml).
        ("ELEARN_POLICY_FILE", ""),
        ("ELEARN_HOST_ADAPTERS", "platform"),
        # Tutor runs no Celery beat: the tick runs from this schedule (k8s) or from cron.
        ("ELEARN_TICK_SCHEDULE", "*/5 * * * *"),
    ]
)

# The plugin is installed by its own Dockerfile step rather than by adding to
# OPENEDX_EXTRA_PIP_REQUIREMENTS, which is the operator's list and would be replaced.
_DOCKERFILE = """
# elearn-plugin
RUN --mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\
    $PIP_COMMAND install '{{ ELEARN_PIP_REQUIREMENT }}'
"""

_SETTINGS = """
# elearn-plugin
ELEARN_HOST_ADAPTERS = "{{ ELEARN_HOST_ADAPTERS }}"
{% if ELEARN_POLICY_FILE %}ELEARN_POLICY_FILE = "{{ ELEARN_POLICY_FILE }}"{% endif %}
"""

# Same image, settings and config maps as the lms Deployment; `concurrencyPolicy: Forbid`
# avoids piling up runs, and the tick's own database locks make an overlap harmless anyway.
_CRONJOB = """
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: elearn-tick
  labels:
    app.kubernetes.io/name: elearn-tick
spec:
  schedule: "{{ ELEARN_TICK_SCHEDULE }}"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        metadata:
          labels:
            app.kubernetes.io/name: elearn-tick
        spec:
          restartPolicy: Never
          securityContext:
            runAsUser: 1000
            runAsGroup: 1000
          containers:
            - name: elearn-tick
              image: {{ DOCKER_IMAGE_OPENEDX }}
              command: ["./manage.py", "lms", "elearn_tick"]
              env:
                - name: SERVICE_VARIANT
                  value: lms
                - name: DJANGO_SETTINGS_MODULE
                  value: lms.envs.tutor.production
              volumeMounts:
                - mountPath: /openedx/edx-platform/lms/envs/tutor/
                  name: settings-lms
                - mountPath: /openedx/edx-platform/cms/envs/tutor/
                  name: settings-cms
                - mountPath: /openedx/config
                  name: config
              securityContext:
                allowPrivilegeEscalation: false
          volumes:
            - name: settings-lms
              configMap:
                name: openedx-settings-lms
            - name: settings-cms
              configMap:
                name: openedx-settings-cms
            - name: config
              configMap:
                name: openedx-config
"""

hooks.Filters.ENV_PATCHES.add_items(
    [
        ("openedx-dockerfile-post-python-requirements", _DOCKERFILE),
        ("openedx-lms-common-settings", _SETTINGS),
        ("openedx-cms-common-settings", _SETTINGS),
        ("k8s-deployments", _CRONJOB),
    ]
)
