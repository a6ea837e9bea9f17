"""The inbox, the header bell and the notification settings pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from notifications.choices import Delivery, Kind
from notifications.models import Notification, Preference
from notifications.services import notify
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submitted(recipients, proposal):
    return notify(
        kind=Kind.PROPOSAL_SUBMITTED,
        recipients=recipients,
        target=proposal,
        path=f"/grants/proposals/{proposal.pk}/",
    )


@pytest.fixture
def proposal(affiliate_a):
    return ProposalFactory(affiliate=affiliate_a, title="Workshops in Tamale")


def test_inbox_lists_only_my_notifications(admin_a, member_b, proposal, affiliate_b):
    _submitted([admin_a], proposal)
    other = ProposalFactory(affiliate=affiliate_b, title="Talleres en Puebla")
    _submitted([member_b], other)
    response = signed_in(admin_a).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Workshops in Tamale" in body
    assert "Talleres en Puebla" not in body
    assert f'href="/grants/proposals/{proposal.pk}/"' in body
    assert "Unread" in body


def test_inbox_renders_in_the_page_language_with_prefixed_links(admin_a, proposal):
    _submitted([admin_a], proposal)
    response = signed_in(admin_a).get("/fr/notifications/")
    assert response.status_code == 200
    assert f'href="/fr/grants/proposals/{proposal.pk}/"' in response.content.decode()


def test_entry_no_longer_readable_shows_a_neutral_line(admin_a, proposal, affiliate_a):
    _submitted([admin_a], proposal)
    admin_a.memberships.all().delete()
    body = signed_in(admin_a).get(reverse("notifications:inbox")).content.decode()
    assert "Workshops in Tamale" not in body
    assert f"/grants/proposals/{proposal.pk}/" not in body
    assert "You can no longer see what this notification was about." in body


def test_another_persons_notification_cannot_be_marked_read(
    admin_a, member_b, affiliate_b
):
    theirs = _submitted([member_b], ProposalFactory(affiliate=affiliate_b))[0]
    client = signed_in(admin_a)
    for name in ("notifications:mark_read", "notifications:mark_unread"):
        response = client.post(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_and_unread_without_javascript(admin_a, proposal):
    row = _submitted([admin_a], proposal)[0]
    client = signed_in(admin_a)
    response = client.post(
        reverse("notifications:mark_read", args=[row.pk]),
        {"next": "/notifications/?show=unread"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?show=unread"
    assert Notification.objects.get(pk=row.pk).is_read
    response = client.post(
        reverse("notifications:mark_unread", args=[row.pk]),
        {"next": "https://elsewhere.example/"},
    )
    assert response["Location"] == reverse("notifications:inbox")
    assert not Notification.objects.get(pk=row.pk).is_read


def test_mark_read_with_htmx_swaps_the_entry_and_the_bell(admin_a, proposal):
    row = _submitted([admin_a], proposal)[0]
    response = signed_in(admin_a).post(
        reverse("notifications:mark_read", args=[row.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{row.pk}"' in body and "Mark as unread" in body
    assert 'id="notification-bell"' in body and 'hx-swap-oob="true"' in body
    assert "autofocus" in body  # the new button keeps the keyboard where it was
    assert "none unread" in body


def test_unread_count_in_the_header(admin_a, affiliate_a):
    for _ in range(3):
        _submitted([admin_a], ProposalFactory(affiliate=affiliate_a))
    body = signed_in(admin_a).get(reverse("notifications:preferences")).content
    body = body.decode()
    assert re.search(r'class="bell__count"[^>]*>3<', body)
    assert "3 unread notifications" in body


def test_no_bell_for_people_not_signed_in(client):
    assert (
        'id="notification-bell"' not in client.get("/accounts/login/").content.decode()
    )


def test_mark_all_read_and_the_unread_filter(
    admin_a, member_b, affiliate_a, affiliate_b
):
    for _ in range(2):
        _submitted([admin_a], ProposalFactory(affiliate=affiliate_a))
    theirs = _submitted([member_b], ProposalFactory(affiliate=affiliate_b))[0]
    client = signed_in(admin_a)
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=admin_a, read_at=None).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    body = client.get("/notifications/?show=unread").content.decode()
    assert "Nothing unread" in body


def test_inbox_is_paginated_newest_first(admin_a, affiliate_a):
    for number in range(27):
        _submitted(
            [admin_a], ProposalFactory(affiliate=affiliate_a, title=f"P{number:02}")
        )
    client = signed_in(admin_a)
    first = client.get(reverse("notifications:inbox")).content.decode()
    assert "P26" in first and "P02" in first and "P01" not in first
    assert first.index("P26") < first.index("P25")
    second = client.get("/notifications/?page=2").content.decode()
    assert "P01" in second and "P00" in second and "P26" not in second


def test_inbox_queries_do_not_grow_with_entries(admin_a, affiliate_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(admin_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("notifications:inbox")).status_code == 200
        return len(context)

    _submitted([admin_a], ProposalFactory(affiliate=affiliate_a))
    few = queries()
    for _ in range(10):
        _submitted([admin_a], ProposalFactory(affiliate=affiliate_a))
    assert queries() == few


def test_preferences_save(admin_a):
    client = signed_in(admin_a)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "cannot be turned off" in page
    data = {f"kind_{kind}": Delivery.EMAIL for kind in Kind}
    data[f"kind_{Kind.COMMENT_POSTED}"] = Delivery.PORTAL
    data[f"kind_{Kind.REPORT_DUE}"] = Delivery.DIGEST
    response = client.post(reverse("notifications:preferences"), data, follow=True)
    assert "Your notification settings are saved." in response.content.decode()
    saved = dict(
        Preference.objects.filter(user=admin_a).values_list("kind", "delivery")
    )
    assert saved[Kind.COMMENT_POSTED] == Delivery.PORTAL
    assert saved[Kind.REPORT_DUE] == Delivery.DIGEST


def test_preferences_refuse_portal_only_for_a_deadline_reminder(admin_a):
    client = signed_in(admin_a)
    page = client.get(reverse("notifications:preferences")).content.decode()
    # No such choice is offered…
    assert f'name="kind_{Kind.SCORING_DUE}" value="portal"' not in page
    assert f'name="kind_{Kind.COMMENT_POSTED}" value="portal"' in page
    # …and a forged form is refused.
    data = {f"kind_{kind}": Delivery.EMAIL for kind in Kind}
    data[f"kind_{Kind.SCORING_DUE}"] = Delivery.PORTAL
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 400
    assert not Preference.objects.filter(user=admin_a).exists()


@pytest.mark.parametrize(
    "name",
    ["notifications:inbox", "notifications:preferences"],
)
def test_pages_send_people_not_signed_in_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_posts_send_people_not_signed_in_to_sign_in(client, admin_a, proposal):
    row = _submitted([admin_a], proposal)[0]
    response = client.post(reverse("notifications:mark_read", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_account_menu_links_to_the_inbox(admin_a):
    body = signed_in(admin_a).get(reverse("notifications:preferences")).content
    menu = body.decode().split('class="account-menu"')[1].split("</details>")[0]
    assert '<a href="/notifications/">Notifications</a>' in menu
    assert 'href="/notifications/preferences/" aria-current="page"' in menu


def test_unread_count_is_one_query(admin_a, proposal, django_assert_num_queries):
    from django.test import RequestFactory

    from notifications.context import notification_bell

    _submitted([admin_a], proposal)
    request = RequestFactory().get("/")
    request.user = admin_a
    bell = notification_bell(request)["notification_bell"]
    with django_assert_num_queries(1):
        assert bell.count == 1
        assert bell.count == 1
