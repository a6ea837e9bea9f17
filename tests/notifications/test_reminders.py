"""Deadline reminders: to the right people, in their language, once per stage."""

import datetime
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates.choices import AffiliateReportStatus, MembershipRole, MembershipStatus
from grants.choices import GrantReportStatus, ProposalStatus, ReviewStatus
from grants.models import (
    Committee,
    CommitteeMember,
    GrantReport,
    Review,
    ReviewerAssignment,
)
from notifications import delivery, reminders
from notifications.choices import Delivery, Kind
from notifications.models import Notification, Preference
from tests.factories import (
    AffiliateFactory,
    AffiliateReportFactory,
    DefermentFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    RubricFactory,
    StaffFactory,
    UserFactory,
)

from .conftest import with_address

TODAY = datetime.date(2027, 3, 1)


def run(today=TODAY):
    """One reminder run as if on `today`, e-mails included (they leave on commit).
    Retries and digests run at the real time, as in the command."""
    return reminders.run(today=today)


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def admin_of(affiliate, username, language="", status=MembershipStatus.ACTIVE):
    user = UserFactory(username=username)
    MembershipFactory(
        user=user, affiliate=affiliate, role=MembershipRole.ADMIN, status=status
    )
    return with_address(user, language)


def grant_report(affiliate, due, status=GrantReportStatus.DRAFT):
    proposal = ProposalFactory(affiliate=affiliate, status=ProposalStatus.REPORTING)
    return GrantReport.objects.create(
        proposal=proposal, kind="final", due_date=due, status=status
    )


@pytest.fixture
def cast(db):
    """An affiliate working in French with two active admins (one reads Spanish,
    one chose no language), a member, a pending admin; another affiliate's admin."""
    affiliate = AffiliateFactory(name="Wiki Sahel", working_languages=["fr", "wo"])
    other = AffiliateFactory(name="Other Affiliate")
    people = {
        "es_admin": admin_of(affiliate, "es_admin", "es"),
        "fr_admin": admin_of(affiliate, "fr_admin"),
        "pending": admin_of(affiliate, "pending", status=MembershipStatus.PENDING),
        "other_admin": admin_of(other, "other_admin"),
    }
    member = UserFactory(username="member")
    MembershipFactory(user=member, affiliate=affiliate)
    people["member"] = with_address(member)
    return affiliate, people


def sent_to() -> Counter:
    return Counter(address for email in mail.outbox for address in email.to)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (10, "is due on"),
        (2, "is due on"),
        (14, "is due on"),
        (1, "is due tomorrow"),
        (-3, "has not been received"),
    ],
)
def test_each_stage_reaches_the_active_admins_in_their_language(
    cast, offset, words, django_capture_on_commit_callbacks
):
    affiliate, people = cast
    grant_report(affiliate, day(offset))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert sent_to() == Counter(
        {people["es_admin"].email: 1, people["fr_admin"].email: 1}
    )
    languages = {
        email.to[0]: email.extra_headers["Content-Language"] for email in mail.outbox
    }
    # Her own language; his is unset, so the affiliate's first working language.
    assert languages == {people["es_admin"].email: "es", people["fr_admin"].email: "fr"}
    for email in mail.outbox:
        assert "Wiki Sahel" in email.body and "Wiki Sahel" not in email.subject
    rows = Notification.objects.filter(kind=Kind.REPORT_DUE)
    assert rows.count() == 2
    assert {row.params["affiliate_id"] for row in rows} == {affiliate.pk}


def test_the_english_text_of_each_stage(db, django_capture_on_commit_callbacks):
    affiliate = AffiliateFactory(name="Wiki Sahel", working_languages=["en"])
    admin_of(affiliate, "reader")
    grant_report(affiliate, day(10))
    grant_report(affiliate, day(1))
    grant_report(affiliate, day(-3))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    bodies = sorted(email.body.split("\n")[0] for email in mail.outbox)
    assert bodies == [
        "Wiki Sahel: the report “Final report” is due on March 11, 2027.",
        "Wiki Sahel: the report “Final report” is due tomorrow, March 2, 2027.",
        "Wiki Sahel: the report “Final report” was due on Feb. 26, 2027 and has "
        "not been received. Until it is, the affiliate cannot receive new funds.",
    ]


@pytest.mark.parametrize("offset", [15, 30, 0])
def test_no_reminder_outside_the_stages(cast, offset):
    affiliate, _people = cast
    grant_report(affiliate, day(offset))
    AffiliateReportFactory(affiliate=affiliate, due_date=day(offset))
    counts = run()
    assert counts["reports"].due == 0
    assert not Notification.objects.exists()


def test_annual_reports_are_reminded_too(cast, django_capture_on_commit_callbacks):
    affiliate, people = cast
    report = AffiliateReportFactory(affiliate=affiliate, due_date=day(5))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert set(sent_to()) == {people["es_admin"].email, people["fr_admin"].email}
    row = Notification.objects.filter(recipient=people["fr_admin"]).get()
    assert row.target == report
    assert row.path == f"/affiliates/annual-reports/{report.pk}/"
    assert row.dedup_key == f"report-due:annual:{report.pk}:{day(5)}:14d"


def test_running_twice_sends_each_reminder_once(
    cast, django_capture_on_commit_callbacks
):
    affiliate, _people = cast
    grant_report(affiliate, day(7))
    with django_capture_on_commit_callbacks(execute=True):
        first = run()
    with django_capture_on_commit_callbacks(execute=True):
        second = run()
    assert len(mail.outbox) == 2
    assert (first["reports"].recorded, second["reports"].recorded) == (2, 0)
    assert second["reports"].due == 2


def test_the_next_stage_is_a_new_reminder(cast, django_capture_on_commit_callbacks):
    affiliate, _people = cast
    grant_report(affiliate, day(1))
    with django_capture_on_commit_callbacks(execute=True):
        run(day(-10))  # 11 days before: 14d
        run(day(-9))  # still 14d: nothing new
        run(day(0))  # tomorrow: 1d
        run(day(1))  # the due day: nothing
    assert len(mail.outbox) == 4
    stages = Notification.objects.values_list("params__stage", flat=True)
    assert Counter(stages) == {"14d": 2, "1d": 2}


def test_overdue_repeats_weekly_not_daily(cast, django_capture_on_commit_callbacks):
    affiliate, _people = cast
    grant_report(affiliate, day(-1))
    sent = []
    for offset in range(0, 16):
        with django_capture_on_commit_callbacks(execute=True):
            run(day(offset))
        sent.append(len(mail.outbox))
    # Days 1, 8 and 15 after the due date: two admins each time.
    overdue_days = [offset + 1 for offset in range(16)]
    first_of_each_week = [
        days
        for days, count, before in zip(overdue_days, sent, [0, *sent], strict=False)
        if count > before
    ]
    assert first_of_each_week == [1, 8, 15]
    assert sent[-1] == 6


def test_overdue_reminders_thin_out_after_a_month_and_stop_after_half_a_year():
    due = datetime.date(2027, 1, 31)
    first_days, keys = [], set()
    for late in range(1, 400):
        stage = reminders.report_stage(due, due + datetime.timedelta(days=late))
        if stage is not None and stage[1] not in keys:
            keys.add(stage[1])
            first_days.append(late)
    # Weekly for a month, then every four weeks, none after 26 weeks.
    assert first_days == [1, 8, 15, 22, 29, 57, 85, 113, 141, 169]


def test_a_report_overdue_for_more_than_half_a_year_gets_no_reminder(cast):
    affiliate, _people = cast
    grant_report(affiliate, TODAY - datetime.timedelta(days=57))  # a 4-weekly one
    grant_report(affiliate, TODAY - datetime.timedelta(days=70))  # between two
    grant_report(affiliate, TODAY - datetime.timedelta(days=190))  # too late
    counts = run()["reports"]
    assert counts.due == 2  # the two admins, for the first report only
    assert set(Notification.objects.values_list("params__due", flat=True)) == {
        (TODAY - datetime.timedelta(days=57)).isoformat()
    }


@pytest.mark.parametrize(
    "status", [GrantReportStatus.SUBMITTED, GrantReportStatus.ACCEPTED]
)
def test_a_received_grant_report_gets_no_reminder(cast, status):
    affiliate, _people = cast
    grant_report(affiliate, day(-5), status=status)
    grant_report(affiliate, day(5), status=status)
    run()
    assert not Notification.objects.exists()


def test_a_report_sent_back_is_still_due(cast):
    affiliate, _people = cast
    grant_report(affiliate, day(-5), status=GrantReportStatus.INCOMPLETE)
    AffiliateReportFactory(
        affiliate=affiliate, due_date=day(-5), status=AffiliateReportStatus.SENT_BACK
    )
    AffiliateReportFactory(
        affiliate=affiliate,
        kind="financial",
        due_date=day(-5),
        status=AffiliateReportStatus.SUBMITTED,
    )
    assert run()["reports"].due == 4  # two reports, two admins


def test_a_deferment_holds_the_annual_reports_but_not_grant_reports(cast):
    affiliate, _people = cast
    AffiliateReportFactory(affiliate=affiliate, due_date=day(-20))
    grant = grant_report(affiliate, day(-20))
    DefermentFactory(
        affiliate=affiliate,
        valid_from=day(-30),
        until=day(60),
        granted_by=StaffFactory(),
    )
    run()
    assert set(Notification.objects.values_list("target_id", flat=True)) == {grant.pk}
    Notification.objects.all().delete()
    run(day(65))  # the deferment is over; 85 days late: a four-weekly reminder
    assert Notification.objects.count() == 4


def test_a_person_who_is_no_longer_admin_is_not_reminded(cast):
    affiliate, people = cast
    grant_report(affiliate, day(3))
    people["fr_admin"].memberships.update(role=MembershipRole.MEMBER)
    run()
    assert list(Notification.objects.values_list("recipient", flat=True)) == [
        people["es_admin"].pk
    ]


# Reviews ---------------------------------------------------------------------------


@pytest.fixture
def review_round(db):
    """A proposal in committee review whose scoring deadline is 3 days away, with a
    seated reviewer (German) and the reviewer's assignment."""
    committee = Committee.objects.create(name="Regional committee")
    round_ = RoundFactory(
        opens_on=day(-60),
        closes_on=day(-40),
        comment_period_ends_on=day(-10),
        scoring_deadline=day(3),
        committee=committee,
        rubric=RubricFactory(),
    )
    proposal = ProposalFactory(
        round=round_, status=ProposalStatus.COMMITTEE_REVIEW, title="Oral archives"
    )
    reviewer = with_address(UserFactory(username="reviewer"), "de")
    CommitteeMember.objects.create(committee=committee, user=reviewer)
    ReviewerAssignment.objects.create(
        proposal=proposal, reviewer=reviewer, assigned_by=StaffFactory()
    )
    return round_, proposal, reviewer


def test_reviewers_are_reminded_3_days_and_1_day_before(
    review_round, django_capture_on_commit_callbacks
):
    _round, proposal, reviewer = review_round
    with django_capture_on_commit_callbacks(execute=True):
        for offset in range(0, 4):
            run(day(offset))
    assert [email.to for email in mail.outbox] == [[reviewer.email]] * 2
    assert [email.extra_headers["Content-Language"] for email in mail.outbox] == [
        "de",
        "de",
    ]
    rows = Notification.objects.filter(kind=Kind.SCORING_DUE).order_by("id")
    assert [row.params["days"] for row in rows] == [3, 1]
    assert [row.dedup_key.rsplit(":", 1)[1] for row in rows] == ["3d", "1d"]
    assert rows[0].path == f"/grants/reviews/{proposal.pk}/"
    assert "Oral archives" in mail.outbox[0].body


def test_a_submitted_review_gets_no_reminder(review_round):
    round_, proposal, reviewer = review_round
    Review.objects.create(
        proposal=proposal,
        reviewer=reviewer,
        rubric=round_.rubric,
        status=ReviewStatus.SUBMITTED,
    )
    assert run()["scoring"].due == 0


def test_a_draft_review_is_still_due(review_round):
    round_, proposal, reviewer = review_round
    Review.objects.create(proposal=proposal, reviewer=reviewer, rubric=round_.rubric)
    assert run()["scoring"].due == 1


def test_no_scoring_reminder_for_the_unseated_or_the_recused(review_round):
    round_, proposal, reviewer = review_round
    CommitteeMember.objects.filter(user=reviewer).update(is_active=False)
    assert run()["scoring"].due == 0
    CommitteeMember.objects.filter(user=reviewer).update(is_active=True)
    MembershipFactory(user=reviewer, affiliate=proposal.affiliate)
    assert run()["scoring"].due == 0


# Digests ---------------------------------------------------------------------------


def test_digest_one_email_per_person_per_day(cast, django_capture_on_commit_callbacks):
    affiliate, people = cast
    Preference.objects.create(
        user=people["es_admin"], kind=Kind.REPORT_DUE, delivery=Delivery.DIGEST
    )
    grant_report(affiliate, day(5))
    AffiliateReportFactory(affiliate=affiliate, due_date=day(-2))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.report_reminders(TODAY)
    # The other admin has hers at once; the digest waits for its hour.
    assert sent_to() == Counter({people["fr_admin"].email: 2})
    mail.outbox.clear()
    # send_digests compares with the real sending time: `now` is today.
    now = timezone.now().replace(hour=settings.PORTAL_DIGEST_HOUR, minute=5)
    assert delivery.send_digests(now - datetime.timedelta(hours=1)) == {}
    delivery.send_digests(now)
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [people["es_admin"].email]
    assert digest.extra_headers["Content-Language"] == "es"
    assert digest.body.count("Wiki Sahel") == 2
    # A third reminder later that day waits for tomorrow's digest.
    grant_report(affiliate, day(9))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.report_reminders(TODAY)
    mail.outbox.clear()
    delivery.send_digests(now + datetime.timedelta(hours=3))
    assert mail.outbox == []
    delivery.send_digests(now + datetime.timedelta(days=1))
    assert [email.to for email in mail.outbox] == [[people["es_admin"].email]]
    assert mail.outbox[0].body.count("Wiki Sahel") == 1


# Query counts ------------------------------------------------------------------------


def _affiliates_with_due_reports(count: int, prefix: str) -> list:
    affiliates = []
    for index in range(count):
        affiliate = AffiliateFactory(working_languages=["fr"])
        for n in range(2):
            admin_of(affiliate, f"{prefix}{index}-{n}", "es" if n else "")
        MembershipFactory(affiliate=affiliate)
        AffiliateReportFactory(affiliate=affiliate, due_date=day(-1 - index))
        grant_report(affiliate, day(1 + index))
        affiliates.append(affiliate)
    return affiliates


@pytest.mark.parametrize(
    ("queryset", "source"),
    [
        (reminders.annual_reports_to_remind, reminders.ANNUAL_REPORTS),
        (reminders.grant_reports_to_remind, reminders.GRANT_REPORTS),
    ],
)
def test_the_queries_per_batch_do_not_grow_with_the_batch(db, queryset, source):
    small = [a.pk for a in _affiliates_with_due_reports(2, "s")]
    large = [a.pk for a in _affiliates_with_due_reports(7, "l")]
    counted = []
    for affiliate_ids in (small, large):
        reports = queryset(TODAY)
        if source is reminders.GRANT_REPORTS:
            reports = reports.filter(proposal__affiliate_id__in=affiliate_ids)
        else:
            reports = reports.filter(affiliate_id__in=affiliate_ids)
        with CaptureQueriesContext(connection) as queries:
            batch = list(reports)
            counts = reminders.remind_reports(batch, source, TODAY)
        assert counts.recorded == 2 * len(affiliate_ids)
        counted.append(len(queries))
    assert counted[0] == counted[1]
    # The batch, admins, deliveries, keys known, the insert and its read-back, and
    # the savepoint around the insert.
    assert counted[0] <= 8


def test_the_whole_run_takes_a_few_queries_per_batch(db):
    _affiliates_with_due_reports(6, "w")
    with CaptureQueriesContext(connection) as one_batch:
        reminders.report_reminders(TODAY, batch_size=100)
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as three_batches:
        reminders.report_reminders(TODAY, batch_size=2)
    per_batch = (len(three_batches) - len(one_batch)) / 4  # 2 more per model
    assert per_batch == int(per_batch) and per_batch <= 8


# The command and concurrency ---------------------------------------------------------


def test_the_command_prints_what_it_did(cast, django_capture_on_commit_callbacks):
    affiliate, _people = cast
    grant_report(affiliate, day(1))
    from io import StringIO

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "reports reminders: 2 due today (1d: 2), 2 recorded now" in out.getvalue()
    assert "scoring reminders: 0 due today (none), 0 recorded now" in out.getvalue()
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once():
    expected = []
    for index in range(12):
        affiliate = AffiliateFactory(working_languages=["fr"])
        for n in range(2):
            expected.append(admin_of(affiliate, f"c{index}-{n}").email)
        grant_report(affiliate, day(-1 - index))
        AffiliateReportFactory(affiliate=affiliate, due_date=day(1 + index))
    barrier = threading.Barrier(2)
    errors = []

    def one_run():
        try:
            barrier.wait(timeout=30)
            call_command("send_reminders", "--date", TODAY.isoformat(), stdout=None)
        except Exception as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # Every admin has two reminders (a grant report and an annual report), once each.
    assert sent_to() == Counter({address: 2 for address in expected})
    assert Notification.objects.count() == 2 * len(expected)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_the_task_runs_today_s_reminders(cast, django_capture_on_commit_callbacks):
    from notifications.tasks import send_reminders

    affiliate, people = cast
    grant_report(affiliate, timezone.localdate() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders.enqueue()
    assert result.return_value["report_reminders"] == 2
    assert set(sent_to()) == {people["es_admin"].email, people["fr_admin"].email}


def test_the_command_refuses_a_malformed_date(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "1 March")
