"""Affiliate members write story drafts and send them to the editorial board."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Locale, PageLogEntry

from . import permissions
from .models import LearningStoryIndexPage, LearningStoryPage
from .wagtail_hooks import STORY_DRAFT_SAVED

EDITABLE = (
    "title",
    "summary",
    "region",
    "date",
    "original_language",
    "body",
    "program",
    "proposal",
)


def _clean_body(story):
    block = story.body.stream_block
    block.clean(story.body)  # raises StreamBlockValidationError with per-block errors


def _save_draft(story, actor, reason: str) -> None:
    """A new revision, logged with who saved it and why (shown as the comment in the
    page's history in the Wagtail admin)."""
    revision = story.save_revision(user=actor, log_action=False)
    log(
        instance=story,
        action=STORY_DRAFT_SAVED,
        user=actor,
        revision=revision,
        content_changed=True,
        data={"comment": reason} if reason else {},
    )


def _apply(story, fields, themes):
    for name in EDITABLE:
        if name in fields:
            setattr(story, name, fields[name])
    if story.proposal_id and story.proposal.affiliate_id != story.affiliate_id:
        raise ValidationError(
            {"proposal": _("Link a proposal of the story's own affiliate.")}
        )
    try:
        _clean_body(story)
    except Exception as exc:  # Wagtail's block errors carry their own structure
        raise ValidationError({"body": [str(getattr(exc, "message", exc))]}) from None
    if themes is not None:
        story.themes.set(themes, clear=True)


@transaction.atomic
def story_create(*, actor, affiliate, locale: str, themes=None, reason="", **fields):
    """A member starts a draft story for their affiliate in one language."""
    if not permissions.can_write_story_for(actor, affiliate):
        raise PermissionDenied(
            _("Only members of this affiliate can write its stories.")
        )
    index = LearningStoryIndexPage.objects.filter(
        locale=Locale.objects.filter(language_code=locale).first()
    ).first()
    if index is None:
        raise ValidationError(
            {"locale": _("There is no story section in that language.")}
        )
    story = LearningStoryPage(affiliate=affiliate, locale=index.locale, live=False)
    story.title = fields.get("title", "")
    _apply(story, fields, None)
    story.slug = story.slug or _slug(story.title, index)
    index.add_child(instance=story)
    if themes:
        story.themes.set(themes)
    story.authors.add(actor)
    _save_draft(story, actor, reason)
    return story


def _slug(title, index):
    from django.utils.text import slugify

    base = slugify(title, allow_unicode=True)[:70] or "story"
    slug, n = base, 2
    while LearningStoryPage.objects.child_of(index).filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def story_update(*, actor, story, themes=None, reason="", **fields):
    story = LearningStoryPage.objects.select_for_update().get(pk=story.pk)
    if not permissions.can_edit_story(actor, story):
        raise PermissionDenied(
            _("This story is with the editorial board or not yours to edit.")
        )
    story = story.get_latest_revision_as_object()
    _apply(story, fields, themes)
    story.authors.add(actor)
    _save_draft(story, actor, reason)
    return story


@transaction.atomic
def story_submit(*, actor, story, reason=""):
    """Send the latest draft to the editorial board (or back, after changes)."""
    story = LearningStoryPage.objects.get(pk=story.pk)
    if not permissions.can_edit_story(actor, story):
        raise PermissionDenied(_("This story is already with the editorial board."))
    draft = story.get_latest_revision_as_object()
    if not draft.summary.strip():
        raise ValidationError(
            {"summary": _("A story needs a summary before it is published.")}
        )
    last_entry = PageLogEntry.objects.order_by("-pk").values_list("pk", flat=True)
    before = last_entry.first() or 0
    state = story.current_workflow_state
    if state is not None and state.status == state.STATUS_NEEDS_CHANGES:
        state.resume(actor)
    else:
        story.get_workflow().start(story, actor)
    if reason:
        # Wagtail's workflow logs the step without a comment: add the reason to the
        # entries this step wrote.
        for entry in PageLogEntry.objects.filter(page=story, user=actor, pk__gt=before):
            entry.data = {**(entry.data or {}), "comment": reason}
            entry.save(update_fields=["data"])
    return story
