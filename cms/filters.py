"""Filters and search for the public story index (all on published stories only)."""

from django.db.models import Q

from affiliates.choices import Region

FILTERS = ("language", "affiliate", "region", "program", "theme", "year", "q")


def filter_stories(stories, params):
    """Apply the reader's filters; returns (stories, {filter: value} actually used)."""
    active = {}
    value = params.get("language", "").strip()
    if value:
        stories, active["language"] = stories.filter(original_language=value), value
    value = params.get("affiliate", "").strip()
    if value:
        stories, active["affiliate"] = stories.filter(affiliate__slug=value), value
    value = params.get("region", "").strip()
    if value in Region.values:
        stories, active["region"] = stories.filter(region=value), value
    value = params.get("program", "").strip()
    if value:
        stories, active["program"] = stories.filter(program__slug=value), value
    value = params.get("theme", "").strip()
    if value:
        stories = stories.filter(tagged_items__tag__slug=value).distinct()
        active["theme"] = value
    value = params.get("year", "").strip()
    if value.isdigit() and len(value) == 4:
        stories, active["year"] = stories.filter(date__year=int(value)), value
    value = params.get("q", "").strip()[:200]
    if value:
        stories, active["q"] = search(stories, value), value
    return stories, active


def search(stories, query: str):
    """Full-text search (Wagtail's backend), plus a plain substring match on the
    story's text so that Chinese and other unspaced scripts are found too."""
    found = {page.pk for page in stories.search(query, operator="and")}
    return stories.filter(Q(pk__in=found) | Q(search_text__icontains=query))


def filter_choices(stories) -> dict:
    """Values that occur among the published stories, for the filter form."""
    from taggit.models import Tag

    return {
        "languages": sorted(set(stories.values_list("original_language", flat=True))),
        "affiliates": sorted(
            set(stories.values_list("affiliate__slug", "affiliate__name"))
        ),
        "regions": [
            (v, label)
            for v, label in Region.choices
            if stories.filter(region=v).exists()
        ],
        "years": sorted(
            {d.year for d in stories.values_list("date", flat=True)}, reverse=True
        ),
        "themes": Tag.objects.filter(
            cms_learningstorytag_items__content_object__in=stories
        )
        .distinct()
        .order_by("name"),
    }
