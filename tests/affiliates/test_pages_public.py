"""The affiliate directory and profile, asking to join and answering join requests."""

import pytest
from django.test import Client
from django.urls import reverse

from affiliates.choices import MembershipStatus
from affiliates.models import Membership
from affiliates.services import membership_reject
from grants.choices import ProposalStatus
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    ProposalFactory,
    UserFactory,
)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def profile_url(affiliate):
    return reverse("affiliates:profile", args=[affiliate.slug])


# Directory ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"q": "prueba"}, {"country": "MX"}, {"region": "lac"}, {"type": "chapter"}],
)
def test_directory_search(client, affiliate_a, affiliate_b, params):
    affiliate_a.type = "user_group"
    affiliate_a.save()
    html = client.get(reverse("affiliates:directory"), params).content.decode()
    assert affiliate_b.name in html
    assert affiliate_a.name not in html


def test_directory_empty_state(client, affiliate_a):
    html = client.get(reverse("affiliates:directory"), {"q": "nothing"}).content
    assert b"No affiliates match this search." in html


def test_directory_queries_do_not_grow(client, db, django_assert_max_num_queries):
    for _ in range(2):
        AffiliateFactory()
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("affiliates:directory"))
    for _ in range(8):
        AffiliateFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("affiliates:directory"))


# Profile --------------------------------------------------------------------------


def test_profile_hides_members_and_compliance_from_outsiders(
    affiliate_a, admin_a, outsider
):
    affiliate_a.hide_members = True
    affiliate_a.save()
    for client in (Client(), signed_in(outsider)):
        html = client.get(profile_url(affiliate_a)).content.decode()
        assert affiliate_a.name in html
        assert "admin_a" not in html
        assert "keeps its member list private" in html
        assert "Compliance" not in html
    member_view = signed_in(admin_a).get(profile_url(affiliate_a)).content.decode()
    assert "admin_a" in member_view and "Compliance" in member_view


def test_profile_lists_members_when_not_hidden(client, affiliate_b, member_b):
    affiliate_b.hide_members = False
    affiliate_b.save()
    assert b"member_b" in client.get(profile_url(affiliate_b)).content


def test_profile_links_funded_grants_only(client, affiliate_a):
    funded = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    ProposalFactory(affiliate=affiliate_a, title="Draft idea")
    html = client.get(profile_url(affiliate_a)).content.decode()
    assert reverse("grants:grant", args=[funded.pk]) in html
    assert "Draft idea" not in html


def test_unknown_affiliate_is_404(client, db):
    assert client.get("/affiliates/nobody/").status_code == 404


def test_profile_query_count(affiliate_a, admin_a, django_assert_max_num_queries):
    for _ in range(3):
        MembershipFactory(affiliate=affiliate_a)
        ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    client = signed_in(admin_a)
    with django_assert_max_num_queries(25) as few:
        client.get(profile_url(affiliate_a))
    for _ in range(7):
        MembershipFactory(affiliate=affiliate_a)
        ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(profile_url(affiliate_a))


# Asking to join -------------------------------------------------------------------


def test_visitor_is_invited_to_sign_in_not_shown_the_form(client, affiliate_a):
    html = client.get(profile_url(affiliate_a)).content.decode()
    assert "Sign in to ask to join" in html
    assert "data-join-form" not in html
    response = client.post(reverse("affiliates:join", args=["ghana"]), {"message": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Membership.objects.filter(message="x").exists()


def test_outsider_asks_to_join_and_sees_the_request_waiting(affiliate_a, outsider):
    client = signed_in(outsider)
    assert b"data-join-form" in client.get(profile_url(affiliate_a)).content
    response = client.post(
        reverse("affiliates:join", args=[affiliate_a.slug]),
        {"message": "I run workshops in Kumasi."},
        follow=True,
    )
    membership = Membership.objects.get(user=outsider, affiliate=affiliate_a)
    assert membership.status == MembershipStatus.PENDING
    assert membership.message == "I run workshops in Kumasi."
    html = response.content.decode()
    assert "data-join-pending" in html and "data-join-form" not in html
    home = client.get(reverse("home")).content.decode()
    assert "Waiting for an answer" in home


def test_asking_twice_is_refused(affiliate_a, pending_a):
    client = signed_in(pending_a)
    assert b"data-join-form" not in client.get(profile_url(affiliate_a)).content
    response = client.post(reverse("affiliates:join", args=[affiliate_a.slug]), {})
    assert response.status_code == 403


def test_member_gets_no_join_button_and_403(affiliate_a, member_a):
    client = signed_in(member_a)
    assert b"data-join-form" not in client.get(profile_url(affiliate_a)).content
    url = reverse("affiliates:join", args=[affiliate_a.slug])
    assert client.post(url, {}).status_code == 403


def test_too_long_message_is_an_error_next_to_the_field(affiliate_a, outsider):
    client = signed_in(outsider)
    text = "x" * 2001
    response = client.post(
        reverse("affiliates:join", args=[affiliate_a.slug]), {"message": text}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "field--error" in html and text in html  # nothing typed is lost
    assert not Membership.objects.filter(user=outsider).exists()


# Answering requests ---------------------------------------------------------------


def _pending(affiliate_a, pending_a):
    return Membership.objects.get(user=pending_a, affiliate=affiliate_a)


def test_admin_sees_and_approves_a_request(affiliate_a, admin_a, pending_a):
    client = signed_in(admin_a)
    profile = client.get(profile_url(affiliate_a)).content.decode()
    assert "Join requests waiting: 1" in profile
    page = client.get(reverse("affiliates:requests", args=[affiliate_a.slug]))
    assert b"pending_a" in page.content and b"data-confirm" in page.content
    membership = _pending(affiliate_a, pending_a)
    response = client.post(
        reverse("affiliates:request_approve", args=[affiliate_a.slug, membership.pk]),
        {f"approve-{membership.pk}-reason": "Known to the board"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.decided_by == admin_a
    home = signed_in(pending_a).get(reverse("home")).content.decode()
    assert "Approved: you are a member" in home


def test_admin_refuses_with_a_reason_the_person_reads(affiliate_a, admin_a, pending_a):
    membership = _pending(affiliate_a, pending_a)
    url = reverse("affiliates:request_refuse", args=[affiliate_a.slug, membership.pk])
    client = signed_in(admin_a)
    # No reason: the error is shown next to the field, nothing changes.
    response = client.post(url, {f"refuse-{membership.pk}-reason": ""})
    assert response.status_code == 400
    assert b"field--error" in response.content
    assert _pending(affiliate_a, pending_a).status == MembershipStatus.PENDING
    client.post(
        url, {f"refuse-{membership.pk}-reason": "We only take members in Accra."}
    )
    assert _pending(affiliate_a, pending_a).status == MembershipStatus.REJECTED
    person = signed_in(pending_a)
    for page in (reverse("home"), profile_url(affiliate_a)):
        assert "We only take members in Accra." in person.get(page).content.decode()
    # Refused people may ask again.
    assert b"data-join-form" in person.get(profile_url(affiliate_a)).content


@pytest.mark.parametrize("who", ["member_a", "outsider", "admin_b"])
def test_others_get_no_buttons_and_403(request, affiliate_a, pending_a, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    membership = _pending(affiliate_a, pending_a)
    assert b"data-requests-link" not in client.get(profile_url(affiliate_a)).content
    assert (
        client.get(reverse("affiliates:requests", args=[affiliate_a.slug])).status_code
        == 403
    )
    for name in ("request_approve", "request_refuse"):
        url = reverse(f"affiliates:{name}", args=[affiliate_a.slug, membership.pk])
        assert client.post(url, {}).status_code == 403
    assert _pending(affiliate_a, pending_a).status == MembershipStatus.PENDING


def test_admin_cannot_answer_another_affiliates_request(
    affiliate_a, affiliate_b, admin_b, pending_a
):
    membership = _pending(affiliate_a, pending_a)
    url = reverse("affiliates:request_approve", args=[affiliate_b.slug, membership.pk])
    assert signed_in(admin_b).post(url, {}).status_code == 404


def test_requests_page_query_count(affiliate_a, admin_a, django_assert_max_num_queries):
    for _ in range(2):
        MembershipFactory(affiliate=affiliate_a, status=MembershipStatus.PENDING)
    client = signed_in(admin_a)
    url = reverse("affiliates:requests", args=[affiliate_a.slug])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(8):
        MembershipFactory(affiliate=affiliate_a, status=MembershipStatus.PENDING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.count(b"data-request=") == 10


def test_reason_comes_from_the_latest_refusal(affiliate_a, admin_a, db):
    person = UserFactory()
    membership = MembershipFactory(
        user=person, affiliate=affiliate_a, status=MembershipStatus.PENDING
    )
    membership_reject(actor=admin_a, membership=membership, reason="Not now")
    html = signed_in(person).get(profile_url(affiliate_a)).content.decode()
    assert "Not now" in html
