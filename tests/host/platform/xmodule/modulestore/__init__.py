"""Stand-in of openedx-platform `xmodule/modulestore/__init__.py`: `ModuleStoreEnum`.

Written from the platform's behaviour, no platform code copied: only the names a plugin
passes to the modulestore (the revision options of `get_items`, the branch names).
"""


class ModuleStoreEnum:
    """The constants of the platform's modulestore that a plugin's calls name."""

    class RevisionOption:
        """`revision=` of `get_items`: which branch of a course to read."""

        published_only = "rev-opt-published-only"
        draft_only = "rev-opt-draft-only"
        draft_preferred = "rev-opt-draft-preferred"
        all = "rev-opt-all"

    class BranchName:
        draft = "draft-branch"
        published = "published-branch"
