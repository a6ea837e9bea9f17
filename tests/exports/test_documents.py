"""Single-document PDFs: content, scripts, fonts, metadata and who may export them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports.choices import ExportKind
from exports.documents.grants import dossier_context, proposal_queryset
from exports.models import Export
from grants.choices import ProposalStatus
from grants.models import BudgetLine, Proposal, ProposalComment, Recusal
from portal.users import display_name
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory

from .conftest import assert_fonts_embedded, get_pdf

ARABIC_TITLE = "توثيق التراث المعماري ونشر المقالات"
CHINESE_TITLE = "社区编辑马拉松"
RUSSIAN_TITLE = "Вики-экспедиция по Алтаю"
GREEK_WORD = "Ελληνικά"


@pytest.mark.django_db
def test_proposal_pdf_for_the_applicant(admin_a, affiliate_a):
    proposal = ProposalFactory(
        affiliate=affiliate_a, title="Editing workshops in Tamale"
    )
    pdf = get_pdf(admin_a, f"/api/v1/proposals/{proposal.pk}/pdf/")
    assert pdf.has("Editing workshops in Tamale")
    assert pdf.has(proposal.reference)
    assert pdf.has("30,000.00 GHS")  # requested, local currency
    assert pdf.has("2,400.00 USD")  # at 12.5 GHS per USD
    assert pdf.has("Workshops") and pdf.has("24,000.00")  # a budget line
    assert pdf.has("Coordination")
    assert pdf.has("Participants") and pdf.has("120")  # the target
    assert pdf.has("Page 1 of 1")
    assert pdf.has(f"by {display_name(admin_a)}")
    assert_fonts_embedded(pdf)
    assert pdf.metadata.title.startswith("Grant proposal " + proposal.reference)
    assert pdf.language == "en"
    export = Export.objects.get()
    assert (export.kind, export.object_id, export.requested_by) == (
        ExportKind.PROPOSAL,
        proposal.pk,
        admin_a,
    )
    assert export.pages == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,title,label",
    [
        ("ar", ARABIC_TITLE, "ar"),
        ("zh-hans", CHINESE_TITLE, "zh-hans"),
        ("ru", RUSSIAN_TITLE, "ru"),
    ],
)
def test_proposal_pdf_in_its_language_and_script(
    admin_a, affiliate_a, language, title, label
):
    proposal = ProposalFactory(
        affiliate=affiliate_a,
        title=title,
        language=language,
        description=f"{title}. {GREEK_WORD} and Latin words in one paragraph.",
    )
    pdf = get_pdf(admin_a, f"/api/v1/proposals/{proposal.pk}/pdf/")
    assert pdf.has(title)
    assert pdf.has(GREEK_WORD)
    assert pdf.language == label
    assert pdf.tagged  # PDF/UA: a screen reader follows its structure
    assert_fonts_embedded(pdf)
    names = " ".join(pdf.fonts())
    expected = {"ar": "Naskh", "zh-hans": "Sans-SC", "ru": "Portal-Sans"}[language]
    assert expected in names


@pytest.mark.django_db
def test_public_reader_gets_awarded_proposal_without_budget_lines(
    outsider, affiliate_a
):
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    BudgetLine.objects.filter(proposal=proposal).update(activity="SECRET-LINE")
    pdf = get_pdf(outsider, f"/api/v1/proposals/{proposal.pk}/pdf/")
    assert pdf.has(proposal.title)
    assert "SECRET-LINE" not in pdf.text
    draft = ProposalFactory(affiliate=affiliate_a)
    assert (
        client_for(outsider).get(f"/api/v1/proposals/{draft.pk}/pdf/").status_code
        == 404
    )
    assert client_for(None).get(f"/api/v1/proposals/{draft.pk}/pdf/").status_code == 404


@pytest.mark.django_db
def test_dossier_is_confidential_on_every_page_and_holds_the_committee_record(world):
    reviewers = world.reviewers
    world.review(reviewers[0], [5, 4, 3], note="NOTE-FROM-FIRST")
    world.review(reviewers[1], [1, 4, 3], note="NOTE-FROM-SECOND")
    # A reviewer recused after submitting: nothing of theirs may appear.
    world.review(reviewers[2], [2, 2, 2], note="NOTE-OF-RECUSED")
    Recusal.objects.create(
        proposal=world.proposal,
        user=reviewers[2],
        conflict_type="financial",
        explanation="Paid consultant",
        recorded_by=world.staff,
    )
    world.prepare(reviewers[3], conflict=True)  # explanation "Cousin"
    Proposal.objects.filter(pk=world.proposal.pk).update(
        description="A long plan, told in full. " * 200
    )  # long enough for several pages
    pdf = get_pdf(world.staff, f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/")
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        assert "CONFIDENTIAL – COMMITTEE USE" in page.upper()
    assert pdf.has("NOTE-FROM-FIRST") and pdf.has("NOTE-FROM-SECOND")
    assert not pdf.has("NOTE-OF-RECUSED")
    assert pdf.has("2 reviews counted")
    assert pdf.has("Divergent")  # Impact 5 vs 1 on a 1–5 scale
    assert pdf.has("Financial interest")  # why reviewer 2 is recused
    assert pdf.has("Cousin")  # staff read a declared conflict's explanation
    assert_fonts_embedded(pdf)
    assert Export.objects.get().kind == ExportKind.DOSSIER


@pytest.mark.django_db
def test_dossier_only_for_staff_and_declared_committee_members(world, admin_a):
    url = f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/"
    member = world.reviewers[0]
    # On the committee but no declaration yet: not allowed.
    assert client_for(member).get(url).status_code == 403
    world.prepare(member)
    get_pdf(member, url)
    # Declared a conflict: recused, not allowed.
    conflicted = world.reviewers[1]
    world.prepare(conflicted, conflict=True)
    assert client_for(conflicted).get(url).status_code == 403
    # The applicant reads their proposal, not the committee's dossier.
    assert client_for(admin_a).get(url).status_code == 403
    # Signed-in people see proposals in committee review, not their dossiers.
    assert client_for(UserFactory()).get(url).status_code == 403
    # An error stays JSON even when the client asked for a PDF.
    response = client_for(conflicted).get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert Export.objects.count() == 1


@pytest.mark.django_db
def test_blind_round_hides_applicant_and_names_from_committee(world, affiliate_a):
    world.round.hide_applicant_identity = True
    world.round.hide_reviewer_identities = True
    world.round.save()
    first, second = world.reviewers[:2]
    first.first_name, first.last_name = "Zanele", "Khumalo"
    first.save()
    first.profile.public_name = "Zanele K."
    first.profile.save()
    world.review(first, [4, 4, 4])
    world.review(second, [3, 3, 3])
    world.prepare(world.reviewers[3], conflict=True)
    url = f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/"
    member_view = get_pdf(second, url)
    assert not member_view.has(affiliate_a.name)
    assert not member_view.has("Zanele")
    assert member_view.has("Reviewer A")
    assert not member_view.has("Cousin")
    staff_view = get_pdf(world.staff, url)
    assert staff_view.has(affiliate_a.name) and staff_view.has("Zanele K.")
    assert not staff_view.has("Khumalo")  # public names only, never the legal one


@pytest.mark.django_db
def test_dossier_names_a_hidden_member_as_the_comments_page_does(
    world, affiliate_a, admin_a
):
    affiliate_a.hide_members = True
    affiliate_a.save()
    admin_a.profile.public_name = "Ayodele O."
    admin_a.profile.save()
    ProposalComment.objects.create(
        proposal=world.proposal, author=admin_a, body="Our venue is the library."
    )
    member = world.reviewers[0]
    world.prepare(member)
    url = f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/"
    committee_view = get_pdf(member, url)
    assert committee_view.has("Our venue is the library.")
    assert committee_view.has(f"A member of {affiliate_a.name}")
    assert not committee_view.has("Ayodele")
    # Staff see who wrote it; so does the committee once the member agrees to it.
    assert get_pdf(world.staff, url).has("Ayodele")
    admin_a.profile.show_affiliation = True
    admin_a.profile.save()
    assert get_pdf(member, url).has("Ayodele")


@pytest.mark.django_db
def test_dossier_queries_do_not_grow_with_reviews_lines_or_comments(
    world, affiliate_a, admin_a
):
    small = world.proposal
    world.review(world.reviewers[0], [4, 4, 4])
    big = world.new_proposal(affiliate_a)
    for i in range(10):
        BudgetLine.objects.create(
            proposal=big,
            activity=f"Line {i}",
            category="other",
            unit="unit",
            unit_cost=Decimal("10"),
            quantity=Decimal("1"),
            currency=big.currency,
            position=10 + i,
        )
    for reviewer in world.reviewers[:3]:
        world.review(reviewer, [3, 4, 5], proposal=big)
    # Comments by outsiders and by the applicant's own members (named as members).
    question = ProposalComment.objects.create(
        proposal=big, author=world.reviewers[0], body="Which venue?"
    )
    ProposalComment.objects.create(
        proposal=big, author=admin_a, parent=question, body="The library."
    )
    ProposalComment.objects.create(
        proposal=big, author=world.reviewers[1], body="Thanks."
    )

    def count(proposal, reader):
        full = proposal_queryset().get(pk=proposal.pk)
        with CaptureQueriesContext(connection) as queries:
            context = dossier_context(reader, full, "en", stamped=True)
        return len(queries), context

    small_count, small_context = count(small, world.staff)
    big_count, big_context = count(big, world.staff)
    assert len(big_context["reviews"]) == 3 and len(small_context["reviews"]) == 1
    assert len(big_context["comments"]) == 3 and small_context["comments"] == []
    assert big_count == small_count
    # A committee member in a blind round (applicant hidden, members masked): the
    # checks per comment come with the comments too.
    world.round.hide_applicant_identity = True
    world.round.save()
    affiliate_a.hide_members = True
    affiliate_a.save()
    member = world.reviewers[0]  # declared for both proposals by reviewing them
    count(small, member)  # once first: the reader keeps what the first call looked up
    small_count, _context = count(small, member)
    big_count, big_context = count(big, member)
    assert big_count == small_count
    assert [c["author"] for c in big_context["comments"]][1] == "Applicant"


@pytest.mark.django_db
def test_grant_report_pdf_compares_targets_and_spending(admin_a, affiliate_a, admin_b):
    from grants.choices import GrantReportKind
    from grants.models import GrantReport, MetricResult, SpendingLine

    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.REPORTING)
    report = GrantReport.objects.create(
        proposal=proposal,
        kind=GrantReportKind.FINAL,
        due_date="2027-01-31",
        narrative="We ran six workshops.",
    )
    metric = proposal.target_metrics.get()
    MetricResult.objects.create(report=report, metric=metric, actual=90)
    workshops = proposal.budget_lines.get(activity="Workshops")
    SpendingLine.objects.create(
        report=report,
        budget_line=workshops,
        spent=Decimal("18000"),
        explanation="Two workshops merged.",
    )
    pdf = get_pdf(admin_a, f"/api/v1/reports/{report.pk}/pdf/")
    assert pdf.has("Final report")
    assert pdf.has("120") and pdf.has("90") and pdf.has("75")  # target, actual, %
    assert pdf.has("24,000.00") and pdf.has("18,000.00") and pdf.has("6,000.00")
    assert pdf.has("Two workshops merged.")
    assert_fonts_embedded(pdf)
    assert (
        client_for(admin_b).get(f"/api/v1/reports/{report.pk}/pdf/").status_code == 404
    )


@pytest.mark.django_db
def test_compliance_pdfs(affiliate_a, member_a, outsider, staff):
    from tests.factories import AffiliateReportFactory

    AffiliateReportFactory(
        affiliate=affiliate_a, fiscal_year=2024, due_date="2025-04-30"
    )
    pdf = get_pdf(member_a, f"/api/v1/affiliates/{affiliate_a.pk}/compliance-pdf/")
    assert pdf.has(affiliate_a.name) and pdf.has("2025-04-30") and pdf.has("Past due")
    url = f"/api/v1/affiliates/{affiliate_a.pk}/compliance-pdf/"
    assert client_for(outsider).get(url).status_code == 403
    everyone = get_pdf(staff, "/api/v1/affiliates/compliance-pdf/")
    assert everyone.has(affiliate_a.name)
    assert (
        client_for(member_a).get("/api/v1/affiliates/compliance-pdf/").status_code
        == 403
    )


@pytest.mark.django_db
def test_story_pdf_in_the_story_language(affiliate_a):
    from cms.site import setup_site
    from tests.cms.test_stories import make_story

    indexes = setup_site()
    story = make_story(
        indexes["ar"],
        affiliate_a,
        title="قصة ورشة التحرير",
        body=["شارك المتطوعون في ورشة التحرير"],
    )
    pdf = get_pdf(None, f"/api/v1/stories/{story.pk}/pdf/")
    assert pdf.has("قصة ورشة التحرير") and pdf.has("شارك المتطوعون في ورشة التحرير")
    assert pdf.language == "ar"
    assert_fonts_embedded(pdf)
    draft = make_story(indexes["en"], affiliate_a, title="Unpublished", publish=False)
    assert client_for(None).get(f"/api/v1/stories/{draft.pk}/pdf/").status_code == 404
