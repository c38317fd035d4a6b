"""The host-shaped harness: the plugin loaded the way Open edX loads it.

`tests/host/platform/` is a root on `sys.path` holding stand-ins of the platform files a plugin
meets, each named like the upstream file it mirrors (`lms/envs/common.py`, `lms/urls.py`,
`openedx/core/lib/derived.py`, `openedx/core/lib/celery/`, ...). They are written from the
platform's behaviour; no platform code is copied. `tests.host.path.add_platform()` puts that
root on the path; the unit suite's settings are `lms.envs.test` from it.
"""
