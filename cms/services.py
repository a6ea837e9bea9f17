"""Affiliate members write story drafts and send them to the editorial board."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail import blocks
from wagtail.log_actions import log
from wagtail.models import Locale, PageLogEntry

from portal import limits
from portal.exceptions import TransitionNotAllowed

from . import permissions
from .blocks import StoryBodyBlock
from .choices import StoryStatus
from .models import LearningStoryIndexPage, LearningStoryPage
from .richtext import sanitize_rich_text
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


def clean_body_input(raw) -> list[dict]:
    """Check the shape of a story body sent as JSON and make its rich text safe.

    A body is a list of {"type": …, "value": …} blocks. Rich-text values are
    converted to the Wagtail editor's own format through an allowlist (see
    cms/richtext.py); they are never stored as sent. Sizes are bounded.
    """
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise ValidationError({"body": _("Send the body as a list of blocks.")})
    if len(raw) > limits.STORY_BLOCKS:
        raise ValidationError(
            {
                "body": _("A story has at most %(limit)s blocks.")
                % {"limit": limits.STORY_BLOCKS}
            }
        )
    children = StoryBodyBlock().child_blocks
    cleaned = []
    for index, item in enumerate(raw, start=1):
        if (
            not isinstance(item, dict)
            or item.get("type") not in children
            or "value" not in item
        ):
            raise ValidationError(
                {
                    "body": _(
                        "Block %(index)s: give a “type” (one of %(types)s) and a "
                        "“value”."
                    )
                    % {"index": index, "types": ", ".join(children)}
                }
            )
        block = children[item["type"]]
        value = item["value"]
        if len(json.dumps(value, ensure_ascii=False)) > limits.STORY_BLOCK_TEXT:
            raise ValidationError(
                {
                    "body": _(
                        "Block %(index)s is too long: at most %(limit)s characters."
                    )
                    % {"index": index, "limit": limits.STORY_BLOCK_TEXT}
                }
            )
        if isinstance(block, blocks.RichTextBlock):
            if not isinstance(value, str):
                raise ValidationError(
                    {
                        "body": _("Block %(index)s: the text must be a string.")
                        % {"index": index}
                    }
                )
            value = sanitize_rich_text(value, block.features)
        elif not _matches_shape(block, value):
            raise ValidationError(
                {
                    "body": _("Block %(index)s: this value does not fit a “%(type)s”.")
                    % {"index": index, "type": item["type"]}
                }
            )
        entry = {"type": item["type"], "value": value}
        if isinstance(item.get("id"), str) and len(item["id"]) <= 64:
            entry["id"] = item["id"]
        cleaned.append(entry)
    return cleaned


def _matches_shape(block, value) -> bool:
    """The JSON type a block's to_python expects, so it cannot crash on it."""
    if isinstance(block, blocks.StructBlock):
        return isinstance(value, dict) and all(
            _matches_shape(block.child_blocks[name], v)
            if name in block.child_blocks
            else True
            for name, v in value.items()
        )
    if isinstance(block, blocks.ListBlock):
        return isinstance(value, list) and all(
            _matches_shape(block.child_block, v.get("value", v))
            if isinstance(v, dict) and "type" in v
            else _matches_shape(block.child_block, v)
            for v in value
        )
    if isinstance(block, blocks.ChooserBlock):
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    if isinstance(block, blocks.DecimalBlock):
        return value is None or isinstance(value, int | float | str)
    if isinstance(block, blocks.CharBlock | blocks.TextBlock):
        return isinstance(value, str)
    return True


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


def _check_themes(themes) -> None:
    if themes is not None and len(themes) > limits.STORY_THEMES:
        raise ValidationError(
            {
                "themes": _("A story has at most %(limit)s themes.")
                % {"limit": limits.STORY_THEMES}
            }
        )


def _apply(story, fields, themes):
    _check_themes(themes)
    if "body" in fields:
        fields = {**fields, "body": clean_body_input(fields["body"])}
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
    _check_themes(themes)
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
    """Send the latest draft to the editorial board (or back, after changes).

    The row is locked first: of two submits at once, the second finds the story
    with the board and gets a 409, as for any step the current state does not allow.
    """
    story = LearningStoryPage.objects.select_for_update().get(pk=story.pk)
    if not permissions.can_write_story_for(actor, story.affiliate):
        raise PermissionDenied(
            _("Only members of this affiliate can write its stories.")
        )
    if not permissions.can_edit_story(actor, story):
        raise TransitionNotAllowed(
            obj_label=story._meta.verbose_name,
            current=StoryStatus(story.story_status()).label,
            action="submit",
        )
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
