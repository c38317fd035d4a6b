"""Django autodiscovers admin pages here; each domain keeps its own `admin` module."""

from importlib import import_module

for _domain in (
    "org",
    "standing",
    "ledger",
    "learning",
    "contributions",
    "family",
    "courses",
    "feedback",
    "month_close",
    "privacy",
    "rankings",
    "reinstatement",
    "roster",
    "seats",
    "review",
    "sharing",
    "teaching",
    "outbox",
    "tick",
    "video",
):
    try:
        import_module(f"elearn_plugin.{_domain}.admin")
    except ModuleNotFoundError as exc:  # a domain without admin pages
        if exc.name != f"elearn_plugin.{_domain}.admin":
            raise
