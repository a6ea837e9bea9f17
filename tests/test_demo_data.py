"""The demo data loads, covers what the README promises, and loads only once."""

from django.core.management import call_command

from cms.models import LearningStoryPage
from grants.choices import ProposalStatus
from grants.models import Proposal


def test_demo_data_covers_every_state_and_language(db):
    call_command("load_demo_data", verbosity=0)
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)
    languages = set(Proposal.objects.values_list("language", flat=True))
    assert {"en", "es", "ar", "zh-hans"} <= languages
    live = LearningStoryPage.objects.live()
    assert {"es", "ar", "zh-hans", "en"} <= set(
        live.values_list("locale__language_code", flat=True)
    )
    assert live.filter(locale__language_code="fr").exists()  # a translation
    waiting = LearningStoryPage.objects.get(locale__language_code="ru")
    assert not waiting.live and waiting.current_workflow_state.status == "in_progress"
    before = Proposal.objects.count()
    call_command("load_demo_data", verbosity=0)
    assert Proposal.objects.count() == before
