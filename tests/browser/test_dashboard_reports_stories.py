"""An affiliate admin's afternoon: the dashboard, a role, the annual report, a
deferment request and a learning story; in English and Arabic, phone and desktop."""

import datetime
import re

import pytest
from django.utils import timezone

from affiliates.choices import (
    AffiliateReportStatus,
    DefermentRequestStatus,
    MembershipRole,
)
from affiliates.models import AffiliateReport, DefermentRequest, Membership
from cms.choices import StoryStatus
from cms.models import LearningStoryPage
from cms.site import setup_site
from tests.browser.conftest import sign_in, switch_language
from tests.browser.people import person
from tests.factories import (
    AffiliateFactory,
    AffiliateReportFactory,
    MembershipFactory,
    ProposalFactory,
)


def confirm(page):
    page.locator("[data-confirm-accept]").click()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_admin_runs_the_affiliate_from_the_dashboard(page, shot, axe, lang):
    setup_site()
    affiliate = AffiliateFactory(name="Nile Heritage Test", slug="nile", region="mena")
    admin = person("lina")
    MembershipFactory(user=admin, affiliate=affiliate, role=MembershipRole.ADMIN)
    colleague = MembershipFactory(user=person("omar"), affiliate=affiliate)
    ProposalFactory(affiliate=affiliate, title="Oral histories of Aswan")
    report = AffiliateReportFactory(
        affiliate=affiliate,
        fiscal_year=2025,
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    prefix = "/ar" if lang == "ar" else ""

    sign_in(page, "lina")
    page.goto("/affiliates/nile/dashboard/")
    if lang == "ar":
        switch_language(page, "ar")
        assert page.url.endswith("/ar/affiliates/nile/dashboard/")
    page.locator("[data-compliance-reason]").wait_for()
    assert page.locator("html").get_attribute("lang") == lang
    axe(page)
    shot(page, "dashboard")

    # A role, with the confirm dialog.
    page.goto(f"{prefix}/affiliates/nile/members/")
    page.locator(f"#member-{colleague.pk}-role").select_option(MembershipRole.ADMIN)
    page.locator(f"form[action$='/memberships/{colleague.pk}/role/'] button").click()
    shot(page, "confirm-role")
    confirm(page)
    page.locator(".message--success").wait_for()
    axe(page)
    shot(page, "members")
    assert Membership.objects.get(pk=colleague.pk).role == MembershipRole.ADMIN

    # The annual report: save, then submit.
    page.goto(f"{prefix}/affiliates/annual-reports/{report.pk}/")
    page.locator("textarea[name=summary]").fill(
        "Twelve workshops in Aswan and Luxor; 40 new editors."
    )
    page.locator("form.form button[type=submit]").click()
    page.locator(".message--success").wait_for()
    axe(page)
    shot(page, "annual-report")
    page.locator("form[data-confirm] button[type=submit]").click()
    confirm(page)
    page.locator(f"[data-status='{AffiliateReportStatus.SUBMITTED}']").wait_for()
    shot(page, "annual-report-submitted")
    assert (
        AffiliateReport.objects.get(pk=report.pk).status
        == AffiliateReportStatus.SUBMITTED
    )

    # A deferment request.
    page.goto(f"{prefix}/affiliates/nile/deferment/")
    axe(page)
    page.locator("input[name=cause][value=government_restriction]").check()
    until = timezone.localdate() + datetime.timedelta(days=120)
    page.locator("input[name=until]").fill(until.isoformat())
    page.locator("textarea[name=explanation]").fill(
        "New rules on associations froze our bank account."
    )
    shot(page, "deferment-form")
    page.locator("form.form button[type=submit]").click()
    confirm(page)
    page.wait_for_url(re.compile(r"/affiliates/nile/dashboard/$"))
    page.locator(f"[data-status='{DefermentRequestStatus.REQUESTED}']").wait_for()
    assert DefermentRequest.objects.get().requested_by == admin

    # A learning story, written and sent to the board.
    page.goto(f"{prefix}/my-stories/new/")
    page.locator("select[name=locale]").select_option("ar")
    page.locator("input[name=title]").fill("ورش التاريخ الشفوي")
    page.locator("textarea[name=summary]").fill("ما تعلمناه من ورش أسوان.")
    page.locator("textarea[name=body]").fill("الفقرة الأولى.\n\nالفقرة الثانية.")
    page.locator("textarea[name=what_worked]").fill("المتابعة بعد كل ورشة.")
    page.locator("textarea[name=key_figures]").fill("محررون جدد: 40")
    axe(page)
    shot(page, "story-form")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my-stories/\d+/$"))
    axe(page)
    page.locator("form[data-confirm] button[type=submit]").click()
    confirm(page)
    page.locator(f"[data-status='{StoryStatus.IN_REVIEW}']").wait_for()
    shot(page, "story-submitted")
    story = LearningStoryPage.objects.get()
    assert story.story_status() == StoryStatus.IN_REVIEW

    page.goto(f"{prefix}/my-stories/")
    page.locator(f"[data-status='{StoryStatus.IN_REVIEW}']").wait_for()
    axe(page)
    shot(page, "my-stories")
    page.goto(f"{prefix}/affiliates/nile/dashboard/")
    page.locator("[data-compliance-reason]").wait_for()
    shot(page, "dashboard-after")
