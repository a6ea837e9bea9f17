"""Learning stories: page rules, publishing rules, languages, search, feed, API."""

import datetime

import pytest
from defusedxml import ElementTree as ET
from django.core.exceptions import ValidationError
from wagtail.models import Locale, Workflow

from cms.models import HomePage, LearningStoryIndexPage, LearningStoryPage
from cms.site import setup_site

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def indexes(db):
    return setup_site()


def make_story(
    index,
    affiliate,
    *,
    title,
    summary="A short summary.",
    body=(),
    publish=True,
    slug=None,
):
    story = LearningStoryPage(
        title=title,
        slug=slug or f"story-{LearningStoryPage.objects.count() + 1}",
        summary=summary,
        affiliate=affiliate,
        region="ssa",
        date=datetime.date(2026, 5, 1),
        original_language=index.locale.language_code,
        locale=index.locale,
        body=[{"type": "paragraph", "value": f"<p>{text}</p>"} for text in body],
    )
    story.live = False  # a new page is a draft until published
    index.add_child(instance=story)
    revision = story.save_revision()
    if publish:
        revision.publish()
    return LearningStoryPage.objects.get(pk=story.pk)


def test_every_locale_has_home_index_and_about(indexes):
    codes = {code for code, _ in __import__("django.conf").conf.settings.LANGUAGES}
    assert set(indexes) == codes
    assert set(Locale.objects.values_list("language_code", flat=True)) == codes
    english = indexes["en"]
    for index in indexes.values():
        assert index.translation_key == english.translation_key
        assert isinstance(index.get_parent().specific, HomePage)
    assert Workflow.objects.get(name="Story publication").workflow_tasks.count() == 1


def test_page_types_go_only_where_they_belong(indexes):
    index = indexes["en"]
    home = index.get_parent().specific
    assert LearningStoryPage.can_create_at(index)
    assert not LearningStoryPage.can_create_at(home)
    assert not LearningStoryIndexPage.can_create_at(index)
    assert LearningStoryIndexPage.can_exist_under(home)


def test_story_without_summary_cannot_be_published(indexes, affiliate_a):
    story = make_story(
        indexes["en"], affiliate_a, title="Draft", summary="", publish=False
    )
    with pytest.raises(ValidationError) as error:
        story.save_revision().publish()
    assert "summary" in error.value.message_dict
    assert not LearningStoryPage.objects.get(pk=story.pk).live


def test_hero_image_needs_alt_text(indexes, affiliate_a):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Workshop", file=get_test_image_file())
    story = make_story(indexes["en"], affiliate_a, title="Photo", publish=False)
    story.hero_image = image
    with pytest.raises(ValidationError) as error:
        story.full_clean()
    assert "hero_alt_text" in error.value.message_dict


def test_image_block_requires_alt_text():
    from wagtail.blocks.struct_block import StructBlockValidationError

    from cms.blocks import ImageBlock

    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"image": None, "alt_text": "", "caption": ""}))
    assert "alt_text" in error.value.block_errors


def test_drafts_are_never_public(client, indexes, affiliate_a):
    published = make_story(
        indexes["en"], affiliate_a, title="Published story", body=["hydrology workshop"]
    )
    draft = make_story(
        indexes["en"],
        affiliate_a,
        title="Secret draft",
        body=["hydrology plans"],
        publish=False,
        slug="secret-draft",
    )
    assert client.get(published.url).status_code == 200
    assert client.get("/stories/secret-draft/").status_code == 404
    listing = client.get("/stories/", {"q": "hydrology"}).content.decode()
    assert "Published story" in listing and "Secret draft" not in listing
    feed = client.get("/stories/feed/").content.decode()
    assert "Published story" in feed and "Secret draft" not in feed
    api = client.get("/api/v1/stories/").json()
    assert [s["title"] for s in api["results"]] == ["Published story"]
    assert client.get(f"/api/v1/stories/{draft.pk}/").status_code == 404


def test_arabic_pages_are_right_to_left(client, indexes, affiliate_a):
    story = make_story(indexes["ar"], affiliate_a, title="تصوير التراث", slug="turath")
    html = client.get("/ar/stories/turath/").content.decode()
    assert '<html lang="ar" dir="rtl"' in html
    assert '<article lang="ar">' in html
    assert story.title in html
    assert '<html lang="en" dir="ltr"' in client.get("/stories/").content.decode()


def test_translations_are_linked_with_hreflang(client, indexes, affiliate_a):
    story = make_story(indexes["es"], affiliate_a, title="Talleres", slug="talleres")
    french = story.copy_for_translation(Locale.objects.get(language_code="fr"))
    french.title = "Ateliers"
    french.save_revision().publish()
    assert french.get_parent().specific == indexes["fr"]
    html = client.get("/es/stories/talleres/").content.decode()
    assert 'hreflang="fr"' in html and "français" in html.lower()
    assert 'hreflang="es"' in html
    api = client.get("/api/v1/stories/", {"locale": "es"}).json()["results"][0]
    assert api["translations"] == {"fr": french.pk}


@pytest.mark.parametrize(
    ("locale", "text", "query"),
    [
        ("ar", "بدأنا بقائمة من ثلاثين مبنى في صعيد مصر", "صعيد"),
        ("zh-hans", "第一次线上编辑松时会议链接提前公开", "编辑松"),
        ("ru", "Онлайн-марафон с еженедельными созвонами", "марафон"),
    ],
)
def test_search_finds_body_words_in_every_script(
    client, indexes, affiliate_a, locale, text, query
):
    make_story(
        indexes[locale], affiliate_a, title="Story", body=[text], slug=f"s-{locale}"
    )
    make_story(
        indexes[locale],
        affiliate_a,
        title="Other",
        body=["nothing here"],
        slug=f"o-{locale}",
    )
    html = client.get(f"/{locale}/stories/", {"q": query}).content.decode()
    assert html.count('<li lang="') == 1
    assert f"/{locale}/stories/s-{locale}/" in html


def test_filters_and_pagination(client, indexes, affiliate_a, affiliate_b):
    for n in range(14):
        make_story(
            indexes["en"],
            affiliate_a if n % 2 else affiliate_b,
            title=f"Story {n}",
            slug=f"story-{n}",
        )
    first = client.get("/stories/").content.decode()
    assert first.count('<li lang="') == 12 and 'rel="next"' in first
    filtered = client.get("/stories/", {"affiliate": affiliate_b.slug}).content.decode()
    assert filtered.count('<li lang="') == 7


def test_feed_is_valid_atom_per_locale(client, indexes, affiliate_a):
    make_story(indexes["zh-hans"], affiliate_a, title="线上编辑松的安全", slug="anquan")
    make_story(indexes["en"], affiliate_a, title="English story", slug="english")
    response = client.get("/zh-hans/stories/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["线上编辑松的安全"]
    for entry in entries:
        assert entry.find(f"{ATOM}id") is not None
        assert entry.find(f"{ATOM}updated") is not None


def test_workflow_submit_request_changes_then_approve(indexes, affiliate_a, staff):
    from django.contrib.auth.models import Group

    from cms.site import EDITORIAL_BOARD
    from tests.factories import UserFactory

    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    author = UserFactory()
    story = make_story(indexes["en"], affiliate_a, title="Under review", publish=False)
    workflow = story.get_workflow()
    assert workflow is not None and workflow.name == "Story publication"
    state = workflow.start(story, author)
    task_state = state.current_task_state
    task_state.specific.task.specific.on_action(
        task_state, editor, "reject", comment="Please add what did not work."
    )
    state.refresh_from_db()
    assert state.status == "needs_changes"
    assert state.current_task_state.comment == "Please add what did not work."
    assert not LearningStoryPage.objects.get(pk=story.pk).live

    story.save_revision(user=author)
    state.resume(author)
    state.refresh_from_db()
    task_state = state.current_task_state
    task_state.specific.task.specific.on_action(task_state, editor, "approve")
    story.refresh_from_db()
    assert story.live
    revision = story.live_revision
    assert revision is not None


def test_stories_api_list_costs_the_same_for_more_stories(client, indexes, affiliate_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/stories/", {"page_size": 200})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    for n in range(2):
        make_story(indexes["en"], affiliate_a, title=f"A{n}", slug=f"a{n}")
    client.get("/api/v1/stories/")  # warm Wagtail's cached site root paths
    small = count()
    for n in range(5):
        make_story(indexes["ar"], affiliate_a, title=f"B{n}", slug=f"b{n}")
    large = count()
    assert large[1] == small[1] + 5
    assert large[0] == small[0]


def test_every_story_page_advertises_its_locale_feed(client, indexes, affiliate_a):
    make_story(indexes["zh-hans"], affiliate_a, title="线上编辑松的安全", slug="anquan")
    page = client.get("/zh-hans/stories/anquan/").content.decode()
    assert 'type="application/atom+xml"' in page
    assert 'href="/zh-hans/stories/feed/"' in page
    assert client.get("/zh-hans/stories/feed/").status_code == 200


def test_story_urls_in_the_api_use_the_host_the_reader_asked(
    client, indexes, affiliate_a, settings
):
    settings.ALLOWED_HOSTS = ["grants.example.org"]
    make_story(indexes["en"], affiliate_a, title="English story", slug="english")
    response = client.get("/api/v1/stories/", HTTP_HOST="grants.example.org")
    urls = [story["url"] for story in response.json()["results"]]
    assert urls == ["http://grants.example.org/stories/english/"]
