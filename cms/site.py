"""The site's page tree per locale, the editorial board and its workflow."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Locale,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import AboutPage, HomePage, LearningStoryIndexPage

EDITORIAL_BOARD = "Editorial board"

# Page titles per language: the structure readers see before anything is translated.
TITLES = {
    "en": ("Grants portal", "Learning stories", "About"),
    "es": ("Portal de becas", "Historias de aprendizaje", "Acerca de"),
    "fr": ("Portail des subventions", "Récits d'apprentissage", "À propos"),
    "ar": ("بوابة المنح", "قصص التعلّم", "عن البوابة"),
    "zh-hans": ("资助门户", "学习故事", "关于"),
    "de": ("Förderportal", "Lerngeschichten", "Über uns"),
    "ru": ("Портал грантов", "Истории опыта", "О портале"),
}
SLUGS = ("stories", "about")


def _english_child(home, model, title, slug):
    existing = model.objects.child_of(home).first()
    if existing:
        return existing
    page = model(title=title, slug=slug, locale=home.locale)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _translation(page, locale, title):
    """The page in `locale`, made as a Wagtail translation so the trees stay linked."""
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale)
        translated.title = title
        translated.save_revision().publish()
    return translated


@transaction.atomic
def setup_site() -> dict[str, LearningStoryIndexPage]:
    """Make sure every locale has home, stories and about pages (translations of the
    English ones) and that stories go through the editorial board. Idempotent."""
    english = Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=english)
    index = _english_child(home, LearningStoryIndexPage, TITLES["en"][1], SLUGS[0])
    about = _english_child(home, AboutPage, TITLES["en"][2], SLUGS[1])
    indexes = {"en": index}
    for locale in Locale.objects.exclude(pk=english.pk):
        titles = TITLES.get(locale.language_code, TITLES["en"])
        _translation(home, locale, titles[0])
        indexes[locale.language_code] = _translation(index, locale, titles[1])
        _translation(about, locale, titles[2])
    _editorial_workflow(list(indexes.values()))
    return indexes


def _editorial_workflow(indexes) -> Workflow:
    board, _ = Group.objects.get_or_create(name=EDITORIAL_BOARD)
    board.permissions.add(Permission.objects.get(codename="access_admin"))
    task = GroupApprovalTask.objects.filter(name="Editorial review").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Editorial review")
        task.groups.set([board])
    workflow, _ = Workflow.objects.get_or_create(name="Story publication")
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    for index in indexes:
        page = Page.objects.get(pk=index.pk)
        WorkflowPage.objects.get_or_create(page=page, defaults={"workflow": workflow})
        # The board approves by publishing: it needs to edit and publish stories.
        for permission_type in ("add", "change", "publish"):
            GroupPagePermission.objects.get_or_create(
                group=board,
                page=page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore",
                    codename=f"{permission_type}_page",
                ),
            )
    return workflow
