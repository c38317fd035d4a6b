"""The integrity check after a restore (P-33).

The plugin's rows live in the host's database, so their backup is the host's; what a
database backup misses is outside it (the policy file, the audit key, the audit head) and
what a restore can get wrong is consistency: rows naming users or courses the restored host
does not have, an audit chain shortened or edited, a month close half there. `run_checks()`
finds each, set-based (one anti-join per model and field), for `elearn_check_integrity`.
"""
