"""wagtail-localize keeps translations in sync with their source story."""

from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from cms.models import LearningStoryPage
from tests.cms.test_stories import indexes, make_story  # noqa: F401


def test_translation_follows_its_source(indexes, affiliate_a):  # noqa: F811
    story = make_story(
        indexes["en"],
        affiliate_a,
        title="Consent first",
        body=["We asked before recording."],
        slug="consent",
    )
    source, _ = TranslationSource.get_or_create_from_instance(story)
    translation = Translation.objects.create(
        source=source, target_locale=Locale.objects.get(language_code="fr")
    )
    for segment in source.stringsegment_set.select_related("string"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            data=f"[fr] {segment.string.data}",
        )
    translation.save_target(publish=True)
    french = story.get_translation(translation.target_locale)
    assert french.title == "[fr] Consent first"
    assert french.get_parent().specific == indexes["fr"]

    # The source changes: a new section is added and synced to the translation.
    story = LearningStoryPage.objects.get(pk=story.pk)
    story.body.append(("what_worked", "<p>Family members present.</p>"))
    story.save_revision().publish()
    source.update_from_db()
    translation.save_target(publish=True)
    french = LearningStoryPage.objects.get(pk=french.pk)
    assert [block.block_type for block in french.body] == ["paragraph", "what_worked"]
