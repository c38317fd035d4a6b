"""Stand-in of openedx-platform `lms/djangoapps/edxnotes/decorators.py`: `edxnotes(cls)`.

Written from the platform's behaviour, no platform code copied. The decorator replaces the
class's `get_html` in place. The new one returns the original HTML unchanged when
`settings.ENABLE_EDXNOTES` is off, when the block's runtime has no `modulestore`, in Studio
(`runtime.is_author_mode`), or when Notes is off for the course (`course.edxnotes`) or there
is no user (`runtime.service(block, "user").get_user_by_anonymous_id()`; a block without the
`user` service counts as no user); otherwise it wraps that HTML in the annotator's markup
(`edxnotes_wrapper.html`: an outer `edx-notes-wrapper` and the annotatable
`edx-notes-wrapper-content`). It reads `block.scope_ids.usage_id` and the course's id.
"""

from django.conf import settings
from django.utils.html import escape
from xblock.exceptions import NoSuchServiceError


def edxnotes(cls):
    original_get_html = cls.get_html

    def get_html(self, *args, **kwargs):
        content = original_get_html(self, *args, **kwargs)
        if not settings.ENABLE_EDXNOTES:
            return content
        runtime = getattr(self, "block", self).runtime
        if not hasattr(runtime, "modulestore"):
            return content
        if getattr(self.runtime, "is_author_mode", False):
            return content
        course = runtime.modulestore.get_course(self.scope_ids.usage_id.context_key)
        try:
            user = self.runtime.service(self, "user").get_user_by_anonymous_id()
        except NoSuchServiceError:
            user = None
        if user is None or not getattr(course, "edxnotes", False):
            return content
        return (
            f'<div class="edx-notes-wrapper" data-usage-id="{escape(self.scope_ids.usage_id)}"'
            f' data-course-id="{escape(course.id)}">'
            f'<div class="edx-notes-wrapper-content">{content}</div></div>'
        )

    cls.get_html = get_html
    return cls
