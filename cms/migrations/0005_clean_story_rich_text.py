"""Stories stored before rich text went through the allowlist are cleaned once.

Each story's body and every saved revision of it: rich-text blocks are rewritten with
cms.richtext.sanitize_rich_text (the same path as new text from the API). Text the
allowlist keeps is unchanged; scripts, event attributes, unsafe links and HTML the
Wagtail editor cannot open are not.
"""

import json

from django.db import migrations


def _rich_features():
    from wagtail.blocks import RichTextBlock

    from cms.blocks import StoryBodyBlock

    return {
        name: block.features
        for name, block in StoryBodyBlock().child_blocks.items()
        if isinstance(block, RichTextBlock)
    }


def clean_stories(apps, schema_editor):
    from cms.richtext import clean_stream_data

    features = _rich_features()
    Story = apps.get_model("cms", "LearningStoryPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for story in Story.objects.all():
        data, changed = clean_stream_data(list(story.body.raw_data), features)
        if changed:
            story.body = data
            story.save(update_fields=["body"])
    story_type = ContentType.objects.filter(
        app_label="cms", model="learningstorypage"
    ).first()
    if story_type is None:
        return
    for revision in Revision.objects.filter(content_type=story_type):
        body = revision.content.get("body")
        as_text = isinstance(body, str)
        data, changed = clean_stream_data(json.loads(body) if as_text else body, features)
        if changed:
            revision.content["body"] = json.dumps(data) if as_text else data
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_input_limits"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(clean_stories, migrations.RunPython.noop)]
