"""The two forms a blocked learner fills in: the address to mail the link to, the statement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from elearn_plugin.reinstatement.services import MAX_IDENTIFIER, MAX_STATEMENT


class LinkRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Your e-mail address or username"),
        max_length=MAX_IDENTIFIER,
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        label=_("Why should your account be reopened?"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The HR centre reads this with your records. At most 2000 characters."),
    )
