"""Affiliate members write stories for their own affiliate; the board moderates."""

import pytest
from django.contrib.auth.models import Group

from cms.models import LearningStoryPage
from cms.site import EDITORIAL_BOARD, setup_site
from tests.factories import UserFactory

URL = "/api/v1/my-stories/"


@pytest.fixture
def board_member(db):
    setup_site()
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    return editor


def draft(affiliate, **extra):
    return {
        "title": "Keeping new editors",
        "locale": "es",
        "affiliate": affiliate.pk,
        "summary": "Seguimiento después de los talleres.",
        "region": "lac",
        "date": "2026-05-01",
        "original_language": "es",
        "themes": ["talleres"],
        "body": [{"type": "what_worked", "value": "<p>Grupos de mensajería.</p>"}],
        **extra,
    }


def test_members_write_only_for_their_affiliate_and_see_only_its_drafts(
    api, board_member, member_a, member_b, affiliate_a, affiliate_b
):
    response = api(member_b).post(URL, draft(affiliate_a), format="json")
    assert response.status_code == 403
    response = api(member_a).post(URL, draft(affiliate_a), format="json")
    assert response.status_code == 201, response.json()
    story_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert api(member_b).get(URL).json()["count"] == 0
    assert api(member_b).get(f"{URL}{story_id}/").status_code == 404
    assert (
        api(member_b)
        .patch(f"{URL}{story_id}/", {"title": "x"}, format="json")
        .status_code
        == 404
    )
    assert api().get("/api/v1/stories/").json()["count"] == 0  # drafts never public


def test_image_without_alt_text_is_refused(api, board_member, member_a, affiliate_a):
    body = [{"type": "image", "value": {"image": None, "alt_text": "", "caption": ""}}]
    response = api(member_a).post(URL, draft(affiliate_a, body=body), format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert not LearningStoryPage.objects.exists()


def test_workflow_request_changes_then_approve(
    api, board_member, member_a, affiliate_a
):
    client = api(member_a)
    story_id = client.post(URL, draft(affiliate_a), format="json").json()["id"]
    response = client.post(f"{URL}{story_id}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_review"
    assert (
        client.patch(f"{URL}{story_id}/", {"title": "y"}, format="json").status_code
        == 403
    )

    story = LearningStoryPage.objects.get(pk=story_id)
    state = story.current_workflow_state
    task_state = state.current_task_state
    task_state.task.specific.on_action(
        task_state, board_member, "reject", comment="Add what did not work, please."
    )
    seen = client.get(f"{URL}{story_id}/").json()
    assert seen["status"] == "needs_changes"
    assert seen["editorial_comment"] == "Add what did not work, please."

    body = draft(affiliate_a)["body"] + [
        {"type": "what_did_not_work", "value": "<p>Los certificados.</p>"}
    ]
    assert (
        client.patch(f"{URL}{story_id}/", {"body": body}, format="json").status_code
        == 200
    )
    assert (
        client.post(f"{URL}{story_id}/submit/", {}, format="json").json()["status"]
        == "in_review"
    )
    story.refresh_from_db()
    task_state = story.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, board_member, "approve")
    story.refresh_from_db()
    assert story.live
    public = api().get("/api/v1/stories/").json()["results"]
    assert [s["title"] for s in public] == ["Keeping new editors"]
    assert [b["type"] for b in public[0]["body"]] == [
        "what_worked",
        "what_did_not_work",
    ]
    # Staff see who published and when in Wagtail's history of the page.
    from wagtail.models import PageLogEntry

    assert PageLogEntry.objects.filter(
        page=story, action="wagtail.publish", user=board_member
    ).exists()


def test_my_stories_list_costs_the_same_for_more_stories(
    api, board_member, member_a, affiliate_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(member_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    for n in range(2):
        sid = client.post(URL, draft(affiliate_a, title=f"S{n}"), format="json").json()
        client.post(f"{URL}{sid['id']}/submit/", {}, format="json")
    small = count()
    for n in range(4):
        client.post(URL, draft(affiliate_a, title=f"T{n}"), format="json")
    large = count()
    assert large[1] == small[1] + 4
    assert large[0] == small[0]


def test_every_story_write_keeps_its_reason_in_the_page_history(
    api, board_member, member_a, affiliate_a
):
    from wagtail.models import PageLogEntry

    client = api(member_a)
    response = client.post(
        URL,
        draft(affiliate_a, change_reason="First draft after the meetup"),
        format="json",
    )
    story_id = response.json()["id"]
    client.patch(
        f"{URL}{story_id}/",
        {"summary": "Más claro.", "change_reason": "Clearer summary"},
        format="json",
    )
    client.post(
        f"{URL}{story_id}/submit/",
        {"change_reason": "Ready for the board"},
        format="json",
    )
    comments = [
        (entry.action, entry.comment)
        for entry in PageLogEntry.objects.filter(page_id=story_id).order_by("pk")
    ]
    assert ("cms.story.draft_saved", "First draft after the meetup") in comments
    assert ("cms.story.draft_saved", "Clearer summary") in comments
    assert ("wagtail.workflow.start", "Ready for the board") in comments


def test_list_and_detail_share_one_status_vocabulary(
    api, board_member, member_a, affiliate_a
):
    from cms.choices import StoryStatus

    client = api(member_a)
    story_id = client.post(URL, draft(affiliate_a), format="json").json()["id"]

    def both():
        listed = {s["id"]: s["status"] for s in client.get(URL).json()["results"]}
        return listed[story_id], client.get(f"{URL}{story_id}/").json()["status"]

    assert both() == (StoryStatus.DRAFT, StoryStatus.DRAFT)
    client.post(f"{URL}{story_id}/submit/", {}, format="json")
    assert both() == (StoryStatus.IN_REVIEW, StoryStatus.IN_REVIEW)
    story = LearningStoryPage.objects.get(pk=story_id)
    task_state = story.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, board_member, "reject", comment="x")
    assert both() == (StoryStatus.NEEDS_CHANGES, StoryStatus.NEEDS_CHANGES)
    client.post(f"{URL}{story_id}/submit/", {}, format="json")
    story.refresh_from_db()
    task_state = story.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, board_member, "approve")
    assert both() == (StoryStatus.LIVE, StoryStatus.LIVE)

    schemas = api().get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    for name in ("MyStory", "MyStoryList"):
        status = schemas[name]["properties"]["status"]
        assert status["allOf"] == [{"$ref": "#/components/schemas/StoryStatusEnum"}]
    assert schemas["StoryStatusEnum"]["enum"] == StoryStatus.values
