"""Pages where members write learning stories and send them to the board.

The same rules and services as /api/v1/my-stories/: stories load through
`permissions.own_stories` (404 for others' stories), writes go through
`services.story_create`, `story_update` and `story_submit`, the status words are
StoryStatus's and the board's comment comes from `readers.story_editorial_comment`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from affiliates.models import Affiliate
from affiliates.permissions import member_affiliate_ids
from grants import permissions as grant_permissions
from grants.models import Proposal
from portal.errors import answer_for
from portal.exceptions import StaleRecord
from portal.versions import check_version

from . import permissions, services
from .api import story_version
from .dashboard import story_rows
from .forms import StoryForm
from .models import LearningStoryPage
from .templatetags.cms_stories import state_of

PER_PAGE = 20


def _my_affiliates(user):
    return Affiliate.objects.filter(pk__in=member_affiliate_ids(user)).order_by("name")


def _proposals(user, affiliates):
    """Proposals a story may name: the writer's affiliates' ones they may see."""
    return grant_permissions.referable_proposals(
        user, Proposal.objects.filter(affiliate__in=affiliates)
    ).only("pk", "title")


def _story(request, pk) -> LearningStoryPage:
    return get_object_or_404(
        story_rows(request.user, LearningStoryPage.objects.all()), pk=pk
    )


def _add_errors(form, error) -> None:
    """A service's refusal, next to the fields it names (others on top)."""
    if not hasattr(form, "cleaned_data"):
        form.full_clean()
        form.cleaned_data = {}
    if isinstance(error, ValidationError):
        by_field = answer_for(error).messages
    else:
        by_field = {"": [str(error)]}
    for field, field_messages in by_field.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@login_required
def my_stories(request):
    rows = story_rows(
        request.user,
        LearningStoryPage.objects.all().select_related("latest_revision"),
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/stories/my_stories.html",
        {
            "stories": page.object_list,
            "page_obj": page,
            "can_write": bool(member_affiliate_ids(request.user)),
            "show_affiliate": len(member_affiliate_ids(request.user)) > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_new(request):
    affiliates = _my_affiliates(request.user)
    if not affiliates:
        raise PermissionDenied(_("Only members of an affiliate can write stories."))
    chosen = affiliates.filter(pk=request.GET.get("affiliate") or 0).first()
    form = StoryForm(
        request.POST or None,
        affiliates=affiliates,
        proposals=_proposals(request.user, affiliates),
        initial=StoryForm.initial_new(chosen or affiliates.first()),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                story = services.story_create(
                    actor=request.user, **form.service_fields()
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your draft is saved. Submit it to the editorial board when it "
                        "is ready."
                    ),
                )
                return HttpResponseRedirect(reverse("cms:story", args=[story.pk]))
        status = 400
    return render(
        request,
        "cms/stories/edit.html",
        {"form": form, "story": None},
        status=status,
    )


def _story_context(request, story, **extra) -> dict:
    draft = story.get_latest_revision_as_object()
    language = story.locale.language_code
    return {
        "story": story,
        "story_lang": language,
        "story_dir": "rtl" if get_language_info(language)["bidi"] else "ltr",
        "draft": draft,
        "state": state_of(story),
        "can_edit": permissions.can_edit_story(request.user, story),
        "version": story_version(story),
        **extra,
    }


@login_required
def story(request, pk):
    found = _story(request, pk)
    return render(request, "cms/stories/story.html", _story_context(request, found))


@login_required
@require_http_methods(["GET", "POST"])
def story_edit(request, pk):
    found = _story(request, pk)
    if not permissions.can_edit_story(request.user, found):
        raise PermissionDenied(
            _("This story is with the editorial board or not yours to edit.")
        )
    draft = found.get_latest_revision_as_object()
    if request.method == "GET":
        form = StoryForm(
            story=draft,
            proposals=_proposals(request.user, [found.affiliate_id]),
            initial={**StoryForm.initial_for(draft), "version": story_version(found)},
        )
        return render(request, "cms/stories/edit.html", {"form": form, "story": found})
    form = StoryForm(
        request.POST,
        story=draft,
        proposals=_proposals(request.user, [found.affiliate_id]),
    )
    status = 400
    if form.is_valid():
        try:
            check_version(found, form.cleaned_data["version"], version=story_version)
            services.story_update(
                actor=request.user, story=found, **form.service_fields()
            )
        except StaleRecord as stale:
            _add_errors(form, stale)
            status = 412
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return HttpResponseRedirect(reverse("cms:story", args=[found.pk]))
    return render(
        request, "cms/stories/edit.html", {"form": form, "story": found}, status=status
    )


@login_required
@require_POST
def story_submit(request, pk):
    found = _story(request, pk)
    try:
        check_version(found, request.POST.get("version", ""), version=story_version)
        services.story_submit(actor=request.user, story=found)
    except StaleRecord as stale:
        context = _story_context(request, found, errors=[str(stale)])
        return render(request, "cms/stories/story.html", context, status=412)
    except ValidationError as error:
        context = _story_context(request, found, errors=answer_for(error).summary)
        return render(request, "cms/stories/story.html", context, status=400)
    messages.success(
        request, _("Your story is with the editorial board. Its answer appears here.")
    )
    return HttpResponseRedirect(reverse("cms:story", args=[found.pk]))


urlpatterns = [
    path("", my_stories, name="my_stories"),
    path("new/", story_new, name="story_new"),
    path("<int:pk>/", story, name="story"),
    path("<int:pk>/edit/", story_edit, name="story_edit"),
    path("<int:pk>/submit/", story_submit, name="story_submit"),
]
