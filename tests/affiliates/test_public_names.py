"""People appear by the public name they chose, never by their legal name; members of
an affiliate that hides its members appear as "a member of …" to outsiders."""

import datetime

import pytest
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import ProposalComment
from tests.cms.test_stories import make_story
from tests.factories import ProposalFactory, RoundFactory

pytestmark = pytest.mark.django_db

MASKED = "A member of Wikimedia Ghana Test"


@pytest.fixture
def hiding(affiliate_a):
    affiliate_a.hide_members = True
    affiliate_a.save()
    return affiliate_a


@pytest.fixture
def named_member(member_a):
    member_a.first_name, member_a.last_name = "Abena", "Mensah"
    member_a.save()
    member_a.profile.public_name = "abena-wiki"
    member_a.profile.save()
    return member_a


@pytest.fixture
def reply(hiding, named_member, outsider):
    today = timezone.localdate()
    round_ = RoundFactory(
        closes_on=today, comment_period_ends_on=today + datetime.timedelta(10)
    )
    proposal = ProposalFactory(
        affiliate=hiding, round=round_, status=ProposalStatus.COMMUNITY_REVIEW
    )
    question = ProposalComment.objects.create(
        proposal=proposal, author=outsider, body="Who runs the workshops?"
    )
    return ProposalComment.objects.create(
        proposal=proposal, author=named_member, body="Our volunteers.", parent=question
    )


def author_seen_by(api, user, comment):
    return api(user).get(f"/api/v1/comments/{comment.pk}/").json()["author"]


def test_an_outsider_sees_a_reply_from_a_hidden_member_without_name_or_id(
    api, reply, outsider
):
    # Proposals in community review are for signed-in readers.
    for reader in (outsider,):
        assert author_seen_by(api, reader, reply) == {
            "id": None,
            "display_name": MASKED,
        }


def test_members_and_staff_see_the_public_name_never_the_legal_one(
    api, reply, admin_a, staff, named_member
):
    for reader in (admin_a, staff):
        assert author_seen_by(api, reader, reply) == {
            "id": named_member.pk,
            "display_name": "abena-wiki",
        }


def test_a_member_who_opted_in_is_named(api, reply, outsider, named_member):
    named_member.profile.show_affiliation = True
    named_member.profile.save()
    assert author_seen_by(api, outsider, reply)["display_name"] == "abena-wiki"


def test_comments_of_a_non_member_show_their_public_name(
    api, reply, outsider, member_b
):
    question = reply.parent
    assert author_seen_by(api, member_b, question) == {
        "id": outsider.pk,
        "display_name": "outsider",
    }


def test_story_authors_of_a_hiding_affiliate_are_not_named_in_public(
    api, client, hiding, named_member
):
    from cms.site import setup_site

    story = make_story(setup_site()["en"], hiding, title="Keeping new editors")
    story.authors.add(named_member)
    story.save()

    listed = api().get("/api/v1/stories/").json()["results"][0]
    assert listed["authors"] == [MASKED]
    page = client.get(story.url).content.decode()
    assert MASKED in page and "abena-wiki" not in page and "Mensah" not in page
    pdf = api().get(f"/api/v1/stories/{story.pk}/pdf/")
    assert pdf.status_code == 200

    assert api(named_member).get("/api/v1/stories/").json()["results"][0][
        "authors"
    ] == ["abena-wiki"]


def test_story_authors_of_an_open_affiliate_are_named_by_public_name(
    api, affiliate_b, member_b
):
    from cms.site import setup_site

    affiliate_b.hide_members = False
    affiliate_b.save()
    member_b.first_name = "Legal"
    member_b.save()
    story = make_story(setup_site()["en"], affiliate_b, title="Editatón")
    story.authors.add(member_b)
    story.save()
    assert api().get("/api/v1/stories/").json()["results"][0]["authors"] == ["member_b"]


def test_legal_name_and_email_only_for_staff_and_the_affiliates_admins(
    api, named_member, admin_a, member_a, staff, affiliate_a
):
    from affiliates.models import Membership

    membership = Membership.objects.get(user=named_member, affiliate=affiliate_a)
    url = f"/api/v1/memberships/{membership.pk}/"
    for reader in (admin_a, staff):
        data = api(reader).get(url).json()
        assert data["legal_name"] == "Abena Mensah"
        assert data["user"]["display_name"] == "abena-wiki"
    own = api(member_a).get(url).json()
    assert "legal_name" not in own and "email" not in own
