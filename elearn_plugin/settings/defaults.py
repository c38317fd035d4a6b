"""Every setting of the plugin with its default, declared once (read by `elearn_plugin.conf`).

`settings.common.plugin_settings` puts these into the host's settings where the operator set
nothing; code reads them with `conf.setting(name)`, which never repeats a default. The
annotations are the ones the platform's code-annotations tooling collects; the full meaning
of each is in docs/configuration.md.
"""

from pathlib import Path

DEFAULT_POLICY_FILE = str(Path(__file__).resolve().parent.parent / "policy" / "default.yaml")
# The LMS's browser sign-in endpoints (openedx-platform user_authn/urls_common.py): the authn
# MFE posts to the v2 one, the legacy page to login_ajax.
DEFAULT_LOGIN_ENDPOINTS = (
    "/api/user/v1/account/login_session/",
    "/api/user/v2/account/login_session/",
    "/user_api/v1/account/login_session/",
    "/user_api/v2/account/login_session/",
    "/login_ajax",
)

DEFAULTS: dict[str, object] = {
    # .. setting_name: ELEARN_POLICY_FILE
    # .. setting_default: the packaged policy/default.yaml
    # .. setting_description: The organisation's policy file (every number of POLICY.md).
    "ELEARN_POLICY_FILE": DEFAULT_POLICY_FILE,
    # .. setting_name: ELEARN_PLACEHOLDER_EMAIL_DOMAIN
    # .. setting_default: "learners.invalid"
    # .. setting_description: Domain of the placeholder address of accounts given no e-mail.
    "ELEARN_PLACEHOLDER_EMAIL_DOMAIN": "learners.invalid",
    # .. setting_name: ELEARN_USER_ADAPTER
    # .. setting_default: "elearn_plugin.host.users.HostUserAdapter"
    # .. setting_description: Dotted path of the class creating and updating host accounts.
    "ELEARN_USER_ADAPTER": "elearn_plugin.host.users.HostUserAdapter",
    # .. setting_name: ELEARN_HOST_ADAPTERS
    # .. setting_default: "platform"
    # .. setting_description: "platform" inside Open edX, "fake" on the standalone site.
    "ELEARN_HOST_ADAPTERS": "platform",
    # .. setting_name: ELEARN_ENROLL_CHUNK_SIZE
    # .. setting_default: 100
    # .. setting_description: Usernames looked up per query by in-process enrolment.
    "ELEARN_ENROLL_CHUNK_SIZE": 100,
    # .. setting_name: ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES
    # .. setting_default: ["rest_framework.authentication.SessionAuthentication"]
    # .. setting_description: Authentication of the watch-report endpoint (P-17); in the LMS
    #   add the platform's JWT and bearer classes for the mobile apps.
    "ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication"
    ],
    # .. setting_name: ELEARN_LEARNER_API_AUTHENTICATION_CLASSES
    # .. setting_default: ["rest_framework.authentication.SessionAuthentication"]
    # .. setting_description: Authentication of the learner's own read API (`api/v1/me/`);
    #   in the LMS add the platform's JWT cookie and bearer classes for the dashboard MFE.
    "ELEARN_LEARNER_API_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication"
    ],
    # .. setting_name: ELEARN_VIDEO_RATE_LIMIT
    # .. setting_default: 30
    # .. setting_description: Watch reports a learner may send per minute.
    "ELEARN_VIDEO_RATE_LIMIT": 30,
    # .. setting_name: ELEARN_WATCH_TOKEN_SALT
    # .. setting_default: "elearn.video.watch"
    # .. setting_description: Salt of the signed watch-session tokens.
    "ELEARN_WATCH_TOKEN_SALT": "elearn.video.watch",
    # .. setting_name: ELEARN_AUDIT_KEY
    # .. setting_default: ""
    # .. setting_description: HMAC key sealing the audit trail (ADR 0009), never in the database.
    "ELEARN_AUDIT_KEY": "",
    # .. setting_name: ELEARN_AUDIT_RETIRED_KEYS
    # .. setting_default: []
    # .. setting_description: Earlier audit keys, so rows they sealed still verify.
    "ELEARN_AUDIT_RETIRED_KEYS": [],
    # .. setting_name: ELEARN_AUDIT_KEY_REQUIRED
    # .. setting_default: False (True where the plugin's production settings ran)
    # .. setting_description: A missing ELEARN_AUDIT_KEY is system-check error elearn.E002.
    "ELEARN_AUDIT_KEY_REQUIRED": False,
    # .. setting_name: ELEARN_REINSTATEMENT_HELP
    # .. setting_default: ""
    # .. setting_description: Where a blocked learner is told to apply for reinstatement.
    "ELEARN_REINSTATEMENT_HELP": "",
    # .. setting_name: ELEARN_REINSTATEMENT_LINK_HOURS
    # .. setting_default: 24
    # .. setting_description: How long an emailed reinstatement link can be used (once).
    "ELEARN_REINSTATEMENT_LINK_HOURS": 24,
    # .. setting_name: ELEARN_REINSTATEMENT_LINKS_PER_DAY
    # .. setting_default: 3
    # .. setting_description: Reinstatement links mailed to one account in 24 hours at most.
    "ELEARN_REINSTATEMENT_LINKS_PER_DAY": 3,
    # .. setting_name: ELEARN_REINSTATEMENT_REQUESTS_PER_HOUR
    # .. setting_default: 20
    # .. setting_description: Link requests one network address may make in an hour.
    "ELEARN_REINSTATEMENT_REQUESTS_PER_HOUR": 20,
    # .. setting_name: ELEARN_CONTRIBUTION_MAX_BYTES
    # .. setting_default: 104857600 (100 MB)
    # .. setting_description: Largest file a learner may upload as a contribution (P-12).
    "ELEARN_CONTRIBUTION_MAX_BYTES": 100 * 1024 * 1024,
    # .. setting_name: ELEARN_FEEDBACK_ANSWER_DAYS
    # .. setting_default: 5
    # .. setting_description: Working days (Monday to Friday) within which HR promises to
    #   answer a learner's request, feedback or complaint; later, it shows as late (P-29).
    "ELEARN_FEEDBACK_ANSWER_DAYS": 5,
    # .. setting_name: ELEARN_FEEDBACK_CLOSE_DAYS
    # .. setting_default: 14
    # .. setting_description: Days after its answer that an item the learner left open
    #   closes itself (the tick job `feedback.close_answered`).
    "ELEARN_FEEDBACK_CLOSE_DAYS": 14,
    # .. setting_name: ELEARN_FEEDBACK_PER_DAY
    # .. setting_default: 20
    # .. setting_description: Requests, feedback and complaints one learner may send in 24
    #   hours; beyond, the page answers 429 and keeps nothing.
    "ELEARN_FEEDBACK_PER_DAY": 20,
    # .. setting_name: ELEARN_LOGIN_ENDPOINTS
    # .. setting_default: the LMS's browser sign-in endpoints
    # .. setting_description: Paths whose refusals carry the blocked learner's explanation.
    "ELEARN_LOGIN_ENDPOINTS": list(DEFAULT_LOGIN_ENDPOINTS),
    # .. setting_name: ELEARN_PASSWORD_LENGTH
    # .. setting_default: 12
    # .. setting_description: Length of the initial passwords issued by provisioning (P-2).
    "ELEARN_PASSWORD_LENGTH": 12,
    # .. setting_name: ELEARN_PASSWORD_CHANGE_EXEMPT_PREFIXES
    # .. setting_default: ["/api/", "/elearn/api/", "/logout", "/oauth2/", "/i18n/", "/jsi18n/"]
    # .. setting_description: Paths open before an initial password was changed.
    "ELEARN_PASSWORD_CHANGE_EXEMPT_PREFIXES": [
        "/api/",
        "/elearn/api/",
        "/logout",
        "/oauth2/",
        "/i18n/",
        "/jsi18n/",
    ],
    # .. setting_name: ELEARN_OUTBOX_BACKEND
    # .. setting_default: "auto"
    # .. setting_description: "ace", "django" or "auto" (edx-ace where configured).
    "ELEARN_OUTBOX_BACKEND": "auto",
    # .. setting_name: ELEARN_MESSAGE_FROM
    # .. setting_default: "" (DEFAULT_FROM_EMAIL)
    # .. setting_description: Sender address of the plugin's e-mails.
    "ELEARN_MESSAGE_FROM": "",
    # .. setting_name: ELEARN_MESSAGE_ID_DOMAIN
    # .. setting_default: "" (the sender's domain)
    # .. setting_description: Domain part of the stable Message-ID of each outbox key.
    "ELEARN_MESSAGE_ID_DOMAIN": "",
    # .. setting_name: ELEARN_OUTBOX_MAX_ATTEMPTS
    # .. setting_default: 8
    # .. setting_description: Delivery attempts before a message is given up.
    "ELEARN_OUTBOX_MAX_ATTEMPTS": 8,
    # .. setting_name: ELEARN_OUTBOX_RETRY_BASE_SECONDS
    # .. setting_default: 60
    # .. setting_description: First retry delay; it doubles per attempt, with jitter.
    "ELEARN_OUTBOX_RETRY_BASE_SECONDS": 60,
    # .. setting_name: ELEARN_OUTBOX_RETRY_MAX_SECONDS
    # .. setting_default: 21600
    # .. setting_description: Longest retry delay.
    "ELEARN_OUTBOX_RETRY_MAX_SECONDS": 6 * 3600,
    # .. setting_name: ELEARN_OUTBOX_LEASE_SECONDS
    # .. setting_default: 600
    # .. setting_description: How long a sender holds a message before another may take it.
    "ELEARN_OUTBOX_LEASE_SECONDS": 600,
    # .. setting_name: ELEARN_OUTBOX_BATCH_SIZE
    # .. setting_default: 500
    # .. setting_description: Messages a sender run takes at most.
    "ELEARN_OUTBOX_BATCH_SIZE": 500,
    # .. setting_name: ELEARN_TICK_LOCK
    # .. setting_default: "auto"
    # .. setting_description: The jobs' lock: "auto", "database" (GET_LOCK / advisory) or "lease".
    "ELEARN_TICK_LOCK": "auto",
    # .. setting_name: ELEARN_TICK_LEASE_SECONDS
    # .. setting_default: 1800
    # .. setting_description: Lease of a job lock where the database has no named locks.
    "ELEARN_TICK_LEASE_SECONDS": 1800,
    # .. setting_name: ELEARN_HEALTH_MAX_TICK_AGE_SECONDS
    # .. setting_default: 1800
    # .. setting_description: A tick older than this is a health problem.
    "ELEARN_HEALTH_MAX_TICK_AGE_SECONDS": 1800,
    # .. setting_name: ELEARN_HEALTH_MAX_OUTBOX_AGE_SECONDS
    # .. setting_default: 3600
    # .. setting_description: An unsent message older than this is a health problem.
    "ELEARN_HEALTH_MAX_OUTBOX_AGE_SECONDS": 3600,
    # .. setting_name: ELEARN_RULES_RUNNER
    # .. setting_default: "inline"
    # .. setting_description: How the month close runs its chunks: "inline" (in the calling
    #   process) or "celery" (fanned out as chunk tasks); anything else is elearn.E003.
    "ELEARN_RULES_RUNNER": "inline",
    # .. setting_name: ELEARN_ROSTER_URL
    # .. setting_default: ""
    # .. setting_description: First page of the HR system's roster endpoint (P-2, P-6, P-7);
    #   empty: the roster.sync tick job does nothing.
    "ELEARN_ROSTER_URL": "",
    # .. setting_name: ELEARN_ROSTER_TOKEN
    # .. setting_default: ""
    # .. setting_description: Bearer token sent to the roster endpoint (a secret).
    "ELEARN_ROSTER_TOKEN": "",
    # .. setting_name: ELEARN_ROSTER_CLIENT
    # .. setting_default: "elearn_plugin.roster.sources.RestRosterClient"
    # .. setting_description: Dotted path of the class fetching the roster (fetch() -> list).
    "ELEARN_ROSTER_CLIENT": "elearn_plugin.roster.sources.RestRosterClient",
    # .. setting_name: ELEARN_ROSTER_TIMEOUT_SECONDS
    # .. setting_default: 30
    # .. setting_description: Connect and read timeout of each roster request.
    "ELEARN_ROSTER_TIMEOUT_SECONDS": 30,
    # .. setting_name: ELEARN_ROSTER_RETRIES
    # .. setting_default: 3
    # .. setting_description: Retries of a roster page after a connection error or a 5xx.
    "ELEARN_ROSTER_RETRIES": 3,
    # .. setting_name: ELEARN_ROSTER_RETRY_BASE_SECONDS
    # .. setting_default: 1
    # .. setting_description: First back-off between retries; doubled after each one.
    "ELEARN_ROSTER_RETRY_BASE_SECONDS": 1,
    # .. setting_name: ELEARN_FAMILY_VIEW_ENABLED
    # .. setting_default: False
    # .. setting_description: Whether learners and HR may give a family member a link to the
    #   learner's progress report (P-35, school deployments); off: every family page is 404.
    "ELEARN_FAMILY_VIEW_ENABLED": False,
    # .. setting_name: ELEARN_FAMILY_LINK_DAYS
    # .. setting_default: 30
    # .. setting_description: The longest a family link works, in days (at most 365); the
    #   issuer may choose a shorter lifetime.
    "ELEARN_FAMILY_LINK_DAYS": 30,
    # .. setting_name: ELEARN_FAMILY_VIEWS_PER_HOUR
    # .. setting_default: 30
    # .. setting_description: Views of one family link in an hour; beyond, the page is 429.
    "ELEARN_FAMILY_VIEWS_PER_HOUR": 30,
}
