"""Members' story pages: list, write, edit, submit, status and the board's comment."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms import services
from cms.api import story_version
from cms.choices import StoryStatus
from cms.models import LearningStoryPage
from cms.site import EDITORIAL_BOARD, setup_site
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_member(db):
    setup_site()
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    return editor


def form(affiliate, **extra):
    return {
        "affiliate": affiliate.pk,
        "locale": "es",
        "title": "Talleres con seguimiento",
        "summary": "Seguimiento después de los talleres.",
        "region": "lac",
        "date": "2026-05-01",
        "themes": "talleres, seguimiento",
        "body": "Primer párrafo.\n\nSegundo <b>párrafo</b>.",
        "what_worked": "Grupos de mensajería.",
        "what_did_not_work": "Los certificados.",
        "do_differently": "Empezar antes.",
        "key_figures": "Nuevos editores: 42\nArtículos: 130",
        **extra,
    }


def write(client, affiliate, **extra):
    response = client.post(reverse("cms:story_new"), form(affiliate, **extra))
    assert response.status_code == 302, response.content.decode()[:3000]
    return LearningStoryPage.objects.latest("pk")


def reject(story, board_member, comment):
    story.refresh_from_db()
    task_state = story.current_workflow_state.current_task_state
    task_state.task.specific.on_action(
        task_state, board_member, "reject", comment=comment
    )


def test_member_writes_a_story_through_the_service(
    client, board_member, member_a, affiliate_a
):
    client.force_login(member_a)
    page = client.get(reverse("cms:story_new")).content.decode()
    assert 'name="what_worked"' in page and 'name="key_figures"' in page
    story = write(client, affiliate_a)
    draft = story.get_latest_revision_as_object()
    assert draft.title == "Talleres con seguimiento"
    assert story.locale.language_code == "es" and draft.original_language == "es"
    types = [block.block_type for block in draft.body]
    assert types == [
        "paragraph",
        "paragraph",
        "what_worked",
        "what_did_not_work",
        "do_differently",
        "key_figures",
    ]
    # Typed markup is text, never HTML.
    assert "&lt;b&gt;" in draft.body[1].value.source
    assert sorted(t.name for t in draft.themes.all()) == ["seguimiento", "talleres"]
    assert member_a in draft.authors.all()
    html = client.get(reverse("cms:story", args=[story.pk])).content.decode()
    assert f'data-status="{StoryStatus.DRAFT}"' in html
    assert str(StoryStatus.DRAFT.label) in html
    assert "Nuevos editores" in html


def test_edit_form_shows_the_draft_and_keeps_other_blocks(
    client, board_member, member_a, affiliate_a
):
    client.force_login(member_a)
    story = write(client, affiliate_a)
    quote = {
        "type": "quote",
        "value": {"text": "Hicimos lo que pudimos.", "attribution": ""},
    }
    draft = story.get_latest_revision_as_object()
    services.story_update(
        actor=member_a, story=story, body=[*draft.body.get_prep_value(), quote]
    )
    edit_url = reverse("cms:story_edit", args=[story.pk])
    page = client.get(edit_url).content.decode()
    assert "Segundo &lt;b&gt;párrafo&lt;/b&gt;." in page
    assert "Nuevos editores: 42" in page
    assert "kept as they are" in page
    story = LearningStoryPage.objects.get(pk=story.pk)
    data = form(affiliate_a, title="Nuevo título", version=story_version(story))
    response = client.post(edit_url, data)
    assert response.status_code == 302
    draft = LearningStoryPage.objects.get(pk=story.pk).get_latest_revision_as_object()
    assert draft.title == "Nuevo título"
    assert "quote" in [block.block_type for block in draft.body]


def test_bad_input_keeps_what_was_typed(client, board_member, member_a, affiliate_a):
    client.force_login(member_a)
    response = client.post(
        reverse("cms:story_new"),
        form(affiliate_a, title="", key_figures="Sin número", body="Mi texto"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mi texto" in html
    assert 'id="id_title_error"' in html and 'id="id_key_figures_error"' in html
    assert not LearningStoryPage.objects.exists()


def test_stale_version_answers_412_and_keeps_input(
    client, board_member, member_a, admin_a, affiliate_a
):
    client.force_login(member_a)
    story = write(client, affiliate_a)
    old = story_version(story)
    services.story_update(actor=admin_a, story=story, title="Their title")
    response = client.post(
        reverse("cms:story_edit", args=[story.pk]),
        form(affiliate_a, title="My title", version=old),
    )
    assert response.status_code == 412
    assert "My title" in response.content.decode()
    draft = LearningStoryPage.objects.get(pk=story.pk).get_latest_revision_as_object()
    assert draft.title == "Their title"


def test_submit_then_see_the_boards_comment_then_resubmit(
    client, board_member, member_a, affiliate_a
):
    client.force_login(member_a)
    story = write(client, affiliate_a)
    story_url = reverse("cms:story", args=[story.pk])
    html = client.get(story_url).content.decode()
    assert "data-confirm" in html and "Submit to the editorial board" in html
    response = client.post(
        reverse("cms:story_submit", args=[story.pk]),
        {"version": story_version(story)},
    )
    assert response.status_code == 302
    html = client.get(story_url).content.decode()
    assert f'data-status="{StoryStatus.IN_REVIEW}"' in html
    assert "Submit to the editorial board" not in html
    assert client.get(reverse("cms:story_edit", args=[story.pk])).status_code == 403

    reject(story, board_member, "Añadan lo que no funcionó, por favor.")
    html = client.get(story_url).content.decode()
    assert f'data-status="{StoryStatus.NEEDS_CHANGES}"' in html
    assert "Añadan lo que no funcionó" in html
    listing = client.get(reverse("cms:my_stories")).content.decode()
    assert "Añadan lo que no funcionó" in listing
    assert str(StoryStatus.NEEDS_CHANGES.label) in listing
    story = LearningStoryPage.objects.get(pk=story.pk)
    response = client.post(
        reverse("cms:story_submit", args=[story.pk]),
        {"version": story_version(story)},
    )
    assert response.status_code == 302
    assert LearningStoryPage.objects.get(pk=story.pk).story_status() == "in_review"


def test_submit_without_a_summary_is_explained(
    client, board_member, member_a, affiliate_a
):
    client.force_login(member_a)
    story = write(client, affiliate_a, summary="")
    response = client.post(
        reverse("cms:story_submit", args=[story.pk]),
        {"version": story_version(story)},
    )
    assert response.status_code == 400
    assert "needs a summary" in response.content.decode()


def test_stale_submit_is_412(client, board_member, member_a, affiliate_a):
    client.force_login(member_a)
    story = write(client, affiliate_a)
    old = story_version(story)
    services.story_update(actor=member_a, story=story, title="Changed")
    response = client.post(
        reverse("cms:story_submit", args=[story.pk]), {"version": old}
    )
    assert response.status_code == 412
    assert LearningStoryPage.objects.get(pk=story.pk).story_status() == "draft"


def test_others_get_404_and_non_members_cannot_write(
    client, board_member, member_a, member_b, outsider, affiliate_a
):
    client.force_login(member_a)
    story = write(client, affiliate_a)
    for user in (member_b, outsider):
        client.force_login(user)
        for name in ("cms:story", "cms:story_edit"):
            assert client.get(reverse(name, args=[story.pk])).status_code == 404
        assert (
            client.post(reverse("cms:story_submit", args=[story.pk])).status_code == 404
        )
        assert "Talleres" not in client.get(reverse("cms:my_stories")).content.decode()
    client.force_login(outsider)
    assert client.get(reverse("cms:story_new")).status_code == 403
    html = client.get(reverse("cms:my_stories")).content.decode()
    assert reverse("cms:story_new") not in html
    # A member of B may not write for A: the choice does not exist for them.
    client.force_login(member_b)
    response = client.post(reverse("cms:story_new"), form(affiliate_a))
    assert response.status_code == 400
    assert LearningStoryPage.objects.count() == 1


def test_menu_shows_my_stories_to_members_only(
    client, board_member, member_a, outsider
):
    client.force_login(member_a)
    url = reverse("cms:my_stories")
    assert f'href="{url}"' in client.get(url).content.decode()
    client.force_login(outsider)
    assert f'href="{url}"' not in client.get(url).content.decode()


def test_status_words_are_the_same_in_the_list_the_page_and_the_dashboard(
    client, board_member, member_a, affiliate_a
):
    client.force_login(member_a)
    story = write(client, affiliate_a)
    client.post(
        reverse("cms:story_submit", args=[story.pk]), {"version": story_version(story)}
    )
    label = str(StoryStatus.IN_REVIEW.label)
    for url in (
        reverse("cms:my_stories"),
        reverse("cms:story", args=[story.pk]),
        reverse("affiliates:dashboard", args=[affiliate_a.slug]),
    ):
        html = client.get(url).content.decode()
        assert f'data-status="{StoryStatus.IN_REVIEW}">{label}<' in html, url


def test_my_stories_queries_do_not_grow(client, board_member, member_a, affiliate_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count, start):
        for n in range(start, start + count):
            story = services.story_create(
                actor=member_a,
                affiliate=affiliate_a,
                locale="es",
                title=f"Historia {n}",
                summary="Resumen.",
                region="lac",
                date="2026-05-01",
                original_language="es",
            )
            if n % 2:
                services.story_submit(actor=member_a, story=story)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("cms:my_stories")).status_code == 200
        return len(context.captured_queries)

    client.force_login(member_a)
    add(2, 0)
    small = queries()
    add(8, 2)
    assert queries() == small


def test_a_story_names_only_a_proposal_of_its_own_affiliate(
    client, board_member, member_a, affiliate_a, affiliate_b
):
    from tests.factories import ProposalFactory

    own = ProposalFactory(affiliate=affiliate_a, title="Talleres 2026")
    other = ProposalFactory(affiliate=affiliate_b, title="Ajeno")
    client.force_login(member_a)
    page = client.get(reverse("cms:story_new")).content.decode()
    assert "Talleres 2026" in page and "Ajeno" not in page
    response = client.post(
        reverse("cms:story_new"), form(affiliate_a, proposal=other.pk)
    )
    assert response.status_code == 400
    story = write(client, affiliate_a, proposal=own.pk)
    assert story.get_latest_revision_as_object().proposal_id == own.pk
    edit = client.get(reverse("cms:story_edit", args=[story.pk])).content.decode()
    assert f'value="{own.pk}" selected' in edit


def test_my_stories_names_the_affiliate_for_members_of_several(
    client, board_member, member_a, affiliate_a, affiliate_b
):
    from tests.factories import MembershipFactory

    client.force_login(member_a)
    write(client, affiliate_a)
    # In the page's content (the main menu names each of one's affiliates).
    html = client.get(reverse("cms:my_stories")).content.decode()
    assert "Wikimedia Ghana Test" not in html.split('id="main"')[1]
    MembershipFactory(user=member_a, affiliate=affiliate_b)
    html = client.get(reverse("cms:my_stories")).content.decode()
    html = html.split('id="main"')[1]
    assert "Wikimedia Ghana Test" in html
