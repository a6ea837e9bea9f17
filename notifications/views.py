"""Pages: the inbox, marking read, notification settings and the calendar feed.

The inbox shows each entry through the reader rules (readers.readable): an entry
about something the person may no longer see keeps its place as a neutral line,
without its message or link. The calendar feed needs no session: its secret
address is the key (models.CalendarFeed).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import calendar, services
from .delivery import localized_path
from .delivery import render as render_message
from .forms import PreferencesForm
from .models import CalendarFeed, Notification, Preference
from .readers import inbox_of, readable

PAGE_SIZE = 25


@dataclass
class Entry:
    notification: Notification
    readable: bool
    html: str = ""
    url: str = ""


def _entries(user, rows: list, language: str) -> list[Entry]:
    """Each notification rendered in the page's language, if still readable."""
    allowed = {n.pk for n in readable(user, rows)}
    entries = []
    for row in rows:
        if row.pk not in allowed:
            entries.append(Entry(row, readable=False))
            continue
        message = render_message(row, language)
        entries.append(
            Entry(row, True, message.html, localized_path(row.path, language))
        )
    return entries


def _back(request) -> str:
    """Where to return after a POST without JavaScript: the inbox page it came
    from (same filter and page), never another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:inbox")


@login_required
@require_GET
def inbox(request):
    show = "unread" if request.GET.get("show") == "unread" else "all"
    rows = inbox_of(request.user).with_targets()
    if show == "unread":
        rows = rows.unread()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = _entries(request.user, list(page.object_list), translation.get_language())
    return render(
        request,
        "notifications/inbox.html",
        {
            "entries": entries,
            "page_obj": page,
            "show": show,
            "next": request.get_full_path(),
        },
    )


@login_required
@require_POST
def mark(request, pk: int, read: bool):
    """Mark one of one's own notifications read or unread (others' answer 404)."""
    notification = get_object_or_404(inbox_of(request.user), pk=pk)
    if read:
        services.mark_read(user=request.user, ids=[notification.pk])
    else:
        services.mark_unread(user=request.user, ids=[notification.pk])
    if request.htmx:
        notification = inbox_of(request.user).with_targets().get(pk=pk)
        entry = _entries(request.user, [notification], translation.get_language())[0]
        return render(
            request,
            "notifications/_entry_swap.html",
            {"entry": entry, "next": _back(request)},
        )
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_read(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect(_back(request))


def _feed_url(feed: CalendarFeed) -> str:
    # One address for every language: calendar programs keep it for years.
    with translation.override("en"):
        path = reverse("calendar_feed", args=[feed.key])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@login_required
def preferences(request):
    current = dict(
        Preference.objects.filter(user=request.user).values_list("kind", "delivery")
    )
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    feed = services.calendar_feed_for(request.user)
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "feed_url": _feed_url(feed)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def calendar_reset(request):
    services.calendar_feed_reset(user=request.user)
    messages.success(
        request,
        _("Your calendar has a new address. The old one no longer works."),
    )
    return redirect(reverse("notifications:preferences") + "#calendar")


@require_GET
def calendar_feed(request, key: str):
    """The person's dates as iCalendar; the secret address is the key."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user__profile"),
        key=key,
        user__is_active=True,
    )
    user = feed.user
    language = calendar.feed_language(user)
    events = calendar.events_for(user, language)
    with translation.override(language):
        body = calendar.write(events, name=_("Grants portal"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:pk>/read/", mark, {"read": True}, name="mark_read"),
    path("<int:pk>/unread/", mark, {"read": False}, name="mark_unread"),
    path("read-all/", mark_all_read, name="mark_all_read"),
    path("preferences/", preferences, name="preferences"),
    path("calendar/reset/", calendar_reset, name="calendar_reset"),
]
