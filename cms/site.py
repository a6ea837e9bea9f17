"""The site's page tree per locale, the editorial board and its workflow."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import AboutPage, HomePage, LearningStoryIndexPage

HOME_INTRO = (
    "Affiliates prepare grant proposals and reports here; committees review them; "
    "everyone can read what was funded and what was learned."
)

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


def _english_home(english) -> HomePage:
    """The English home page, the site's root; made (with Wagtail's tree root, its
    root collection and the default site) if a database lost what the migrations
    put there (a flushed test database, a hand-made one)."""
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    home = HomePage.objects.filter(locale=english).first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=english)
        )
        home = HomePage(
            title=TITLES["en"][0], slug="home", locale=english, intro=HOME_INTRO
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost",
            root_page=home,
            is_default_site=True,
            site_name="Portal",
        )
    return home


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
    english, _created = Locale.objects.get_or_create(language_code="en")
    home = _english_home(english)
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
