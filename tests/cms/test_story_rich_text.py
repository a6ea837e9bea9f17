"""Story text from the API is stored in the Wagtail editor's format, never as sent."""

import re

import pytest
from django.contrib.auth.models import Group

from cms.models import LearningStoryPage
from cms.richtext import sanitize_rich_text
from cms.site import EDITORIAL_BOARD, setup_site
from tests.factories import StaffFactory, UserFactory, with_two_factor

URL = "/api/v1/my-stories/"
FEATURES = ["bold", "italic", "link", "ol", "ul"]

HOSTILE = (
    '<p onclick="steal()">Hello <script>alert("x")</script>'
    '<img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a> '
    '<a href=" JaVa&#09;ScRiPt:alert(3)">again</a> '
    '<a href="https://example.org/ok" style="color:red" target="_blank">fine</a>'
    '<iframe src="https://evil.example/"></iframe>'
    '<b style="x">bold</b><svg onload="alert(4)"><circle/></svg></p>'
    "<div><p>unclosed <i>italic</div></b></li>"
)


@pytest.fixture
def board_member(db):
    setup_site()
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    return editor


def story_payload(affiliate, body):
    return {
        "title": "Safe stories",
        "locale": "en",
        "affiliate": affiliate.pk,
        "summary": "A summary.",
        "region": "lac",
        "date": "2026-05-01",
        "original_language": "en",
        "body": body,
    }


def assert_inert(html: str):
    lowered = html.lower()
    for needle in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript",
        "<iframe",
        "<img",
        "<svg",
        "style=",
        "target=",
    ):
        assert needle not in lowered, (needle, html)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("<p>a <b>b</b> <i>c</i></p><ul><li>d</li></ul><ol><li>e</li></ol>", None),
        ('<p><a href="https://example.org/x?a=1&amp;b=2">link</a></p>', "https://"),
        ('<p><a href="mailto:team@example.org">mail</a></p>', "mailto:"),
    ],
)
def test_allowed_markup_survives_sanitizing(given, kept):
    result = sanitize_rich_text(given, FEATURES)
    if kept:
        assert f'href="{kept}' in result
    for element in ("<p", "<b>", "<i>", "<ul>", "<ol>", "<li") if not kept else ("<a",):
        if element in given:
            assert element in result


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "data:text/html,x", "/relative", "vbscript:x", "ftp://x"],
)
def test_only_http_and_mailto_links_are_kept(href):
    result = sanitize_rich_text(f'<p><a href="{href}">x</a></p>', FEATURES)
    assert "<a" not in result
    assert ">x<" in result


def test_hostile_story_text_is_stored_inert_and_shown_inert(
    api, board_member, member_a, affiliate_a, client
):
    body = [
        {"type": "paragraph", "value": HOSTILE},
        {"type": "what_worked", "value": HOSTILE},
        {"type": "heading", "value": "<script>alert(5)</script>"},
    ]
    response = api(member_a).post(URL, story_payload(affiliate_a, body), format="json")
    assert response.status_code == 201, response.json()
    story = LearningStoryPage.objects.get(pk=response.json()["id"])
    stored = story.get_latest_revision_as_object()
    rich = [b.value.source for b in stored.body if b.block_type != "heading"]
    for html in rich:
        assert_inert(html)
        assert 'href="https://example.org/ok"' in html
        assert "data-block-key" in html  # Wagtail's own database format
    assert "Hello" in rich[0] and "bold" in rich[0]

    # The board opens it in the editor and in the preview.
    with_two_factor(board_member)  # the board opens the admin with two-factor only
    client.force_login(board_member)
    edit = client.get(f"/cms-admin/pages/{story.pk}/edit/")
    assert edit.status_code == 200
    assert "onerror" not in edit.content.decode()

    # Once published, the public page shows it without active content.
    stored.save_revision(user=board_member).publish()
    public = client.get(story.url)
    assert public.status_code == 200
    page = public.content.decode()
    assert "alert(" not in page.replace("&lt;script&gt;alert(5)&lt;/script&gt;", "")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script


def test_every_story_the_api_accepts_opens_in_the_wagtail_editor(
    api, board_member, member_a, affiliate_a, client
):
    odd = [
        "<li>loose item</li><p><b>crossed</p></b>",
        "</p></p></ul><p>",
        "<ul><li>a<ol><li>b</li></ol></li></ul>",
        "<p>" + "<b>" * 200 + "deep" + "</b>" * 200 + "</p>",
        "just text & <angle brackets>",
    ]
    body = [{"type": "paragraph", "value": value} for value in odd]
    response = api(member_a).post(URL, story_payload(affiliate_a, body), format="json")
    assert response.status_code == 201, response.json()
    superuser = StaffFactory(username="root", is_superuser=True)
    with_two_factor(superuser)
    client.force_login(superuser)
    edit = client.get(f"/cms-admin/pages/{response.json()['id']}/edit/")
    assert edit.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"type": "paragraph"},
        [{"type": "nonsense", "value": "x"}],
        [{"type": "paragraph", "value": {"not": "text"}}],
        [{"type": "quote", "value": "a string where an object belongs"}],
        [{"type": "key_figures", "value": "not a list"}],
        [{"type": "paragraph", "value": "<p>x</p>"}] * 101,
        [{"type": "paragraph", "value": "x" * 20_001}],
    ],
)
def test_malformed_or_oversized_bodies_are_field_errors(
    api, board_member, member_a, affiliate_a, body
):
    response = api(member_a).post(URL, story_payload(affiliate_a, body), format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert not LearningStoryPage.objects.filter(title="Safe stories").exists()


def test_stories_stored_before_the_allowlist_are_cleaned_by_the_migration(
    api, board_member, member_a, affiliate_a
):
    import json
    from importlib import import_module

    from django.apps import apps

    migration = import_module("cms.migrations.0005_clean_story_rich_text")
    story_id = (
        api(member_a)
        .post(URL, story_payload(affiliate_a, []), format="json")
        .json()["id"]
    )
    # As the API used to store it: raw, in the page and in a revision.
    story = LearningStoryPage.objects.get(pk=story_id)
    story.body = [
        {"type": "what_worked", "value": HOSTILE},
        {"type": "heading", "value": "A heading"},
    ]
    story.save()
    story.save_revision(user=member_a)
    raw = json.dumps(story.get_latest_revision().content["body"])
    assert "onerror" in raw

    migration.clean_stories(apps, None)

    story.refresh_from_db()
    assert_inert(story.body[0].value.source)
    assert "Hello" in story.body[0].value.source
    assert story.body[1].value == "A heading"
    revision = story.get_latest_revision().content["body"]
    assert_inert(revision if isinstance(revision, str) else json.dumps(revision))
