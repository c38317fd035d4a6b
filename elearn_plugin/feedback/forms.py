"""The learner's form of a request, feedback or complaint, and the reading of a survey's
posted answers (the services check everything again before writing)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.courses.models import CoursePolicy
from elearn_plugin.feedback.models import ItemAbout, ItemKind, QuestionKind
from elearn_plugin.feedback.services import MAX_ANSWER, MAX_SUBJECT, MAX_TEXT, FeedbackError

_QUESTION_FIELD = re.compile(r"^q(\d{1,10})$")


def course_choices() -> list[tuple[str, str]]:
    rows = CoursePolicy.objects.order_by("title").values_list("course_key", "title")
    return [("", gettext_lazy("(no course)"))] + [(key, title or key) for key, title in rows]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What are you sending?"),
        choices=ItemKind.choices,
        widget=forms.RadioSelect,
        initial=ItemKind.FEEDBACK,
    )
    about = forms.ChoiceField(
        label=gettext_lazy("What is it about? (feedback and complaints)"),
        choices=[("", "—"), *ItemAbout.choices],
        required=False,
    )
    course_key = forms.ChoiceField(
        label=gettext_lazy("Course"),
        required=False,
        help_text=gettext_lazy(
            "Needed when it is about a course's content or a question on its material."
        ),
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject (for a course request: the course you want)"),
        max_length=MAX_SUBJECT,
    )
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("At most 4000 characters. The HR centre answers by e-mail."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course_key"].choices = course_choices()


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer (the learner reads it by e-mail)"),
        max_length=MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def answers_from_post(questions, data) -> dict[int, object]:
    """The posted answers by question id: a choice number, a list of them, a scale value or
    a text. A field naming no question of the survey, or a value that is not a number where
    one is expected, is refused (`FeedbackError`) rather than ignored."""
    by_id = {q.pk: q for q in questions}
    for name in data:
        match = _QUESTION_FIELD.match(name)
        if name.startswith("q") and (match is None or int(match.group(1)) not in by_id):
            raise FeedbackError(_("The answers name a question this survey does not have."))
    answers: dict[int, object] = {}
    for qid, question in by_id.items():
        field = f"q{qid}"
        try:
            if question.kind == QuestionKind.MULTI:
                answers[qid] = [int(v) for v in data.getlist(field)]
            elif question.kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
                value = data.get(field, "")
                answers[qid] = int(value) if value != "" else None
            else:
                answers[qid] = data.get(field, "")
        except (TypeError, ValueError):
            raise FeedbackError(
                _("Question %(n)s: that answer is not one of its choices.")
                % {"n": question.position}
            )
    return answers
