"""Forms of the community comment pages (grants/views/comments.py). The limits come
from the models; the rules from the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CommentReport, ProposalComment


class CommentForm(forms.Form):
    body = ProposalComment._meta.get_field("body").formfield(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to everyone with your public name."),
    )


class ReplyForm(forms.Form):
    body = ProposalComment._meta.get_field("body").formfield(
        label=_("Your reply for the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, parent_id, **kwargs):
        kwargs.setdefault("prefix", f"reply-{parent_id}")
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    reason = CommentReport._meta.get_field("reason").formfield(
        label=_("What is wrong with this comment?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Staff read your report; the author does not see who sent it."),
    )

    def __init__(self, *args, comment_id, **kwargs):
        kwargs.setdefault("prefix", f"report-{comment_id}")
        super().__init__(*args, **kwargs)
