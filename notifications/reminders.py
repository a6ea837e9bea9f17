"""Deadline reminders: reports that are due (to the affiliate's active admins) and
reviews that are due (to the reviewer).

Each run works out, for `today`, which reminders are due and records them through
`services.record`. Every reminder carries a dedup key naming the record, its due date
and the stage, unique per recipient in the database: a run repeated the same day,
or two runs at the same time, record it once, and the e-mail claims
(delivery.claim) send it once.

Report stages (grant reports and annual reports not received yet):
- "14d": due in 2 to 14 days (the first run in that window sends it);
- "1d": due tomorrow. Not on the due day itself: the message says "tomorrow", and
  a report that is due today has had its 14-day reminder;
- "overdue": the day after the due date, then weekly for the first four weeks
  (days 1, 8, 15, 22 after it), then every four weeks (days 29, 57 … 169) until
  half a year has passed; then no more: a report that late is the staff's to
  follow up (the compliance overview shows it), not a mailbox's. The key carries
  the week number, so a run missed on the first day of a week sends it later in
  that week.
Annual reports of an affiliate whose reporting is deferred today get no reminder
(it counts as compliant meanwhile); derecognised affiliates get none.

Scoring stages (an assigned reviewer, still seated, not recused, whose review of a
proposal in committee review is not submitted): "3d" when the round's scoring
deadline is 2 or 3 days away, "1d" when it is tomorrow.

Work is done in batches of `batch_size` records, with the same few queries per
batch whatever its size (records, admins, deliveries, keys already recorded, the
insert and its read-back). On SQLite, Django cuts the insert into statements of at
most 999 parameters (about 58 notifications each), so there the inserts grow with
the batch; PostgreSQL takes it in one.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from affiliates.choices import (
    AffiliateReportStatus,
    AffiliateStatus,
    MembershipRole,
    MembershipStatus,
)
from affiliates.models import AffiliateReport, Deferment, Membership
from grants.choices import GrantReportStatus, ProposalStatus, ReviewStatus
from grants.models import CommitteeMember, GrantReport, Review, ReviewerAssignment
from grants.permissions import recusal_exists

from . import delivery, services
from .choices import Kind
from .models import Notification

BATCH = 1000

REPORT_14D = "14d"
REPORT_1D = "1d"
OVERDUE = "overdue"
# Overdue reports: weekly for the first weeks, then every fourth week, then none.
OVERDUE_WEEKLY = 4
OVERDUE_WEEKS = 26
SCORING_3D = "3d"
SCORING_1D = "1d"

# Reports not received yet: the others (submitted, accepted) need no reminder.
GRANT_REPORT_OPEN = [GrantReportStatus.DRAFT, GrantReportStatus.INCOMPLETE]
ANNUAL_REPORT_OPEN = [AffiliateReportStatus.DRAFT, AffiliateReportStatus.SENT_BACK]


@dataclass
class Counts:
    """What a run did: reminders due today, and those recorded now for the first
    time (the rest had been recorded by an earlier or concurrent run)."""

    due: int = 0
    recorded: int = 0
    batches: int = 0
    by_stage: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, other: "Counts") -> None:
        self.due += other.due
        self.recorded += other.recorded
        self.batches += other.batches
        for stage, count in other.by_stage.items():
            self.by_stage[stage] += count


def report_stage(due: datetime.date, today: datetime.date) -> tuple[str, str] | None:
    """(stage, the key's stage part) of a report due on `due`, or None for no
    reminder today."""
    days = (due - today).days
    if 2 <= days <= 14:
        return REPORT_14D, REPORT_14D
    if days == 1:
        return REPORT_1D, REPORT_1D
    if days < 0:
        week = (-days - 1) // 7
        if week < OVERDUE_WEEKLY or (week < OVERDUE_WEEKS and week % 4 == 0):
            return OVERDUE, f"{OVERDUE}-{week}"
    return None


def scoring_stage(deadline: datetime.date, today: datetime.date) -> str | None:
    days = (deadline - today).days
    if days in (2, 3):
        return SCORING_3D
    if days == 1:
        return SCORING_1D
    return None


def _batches(queryset, size: int) -> Iterator[list]:
    """The rows in primary key order, `size` at a time (one query per batch)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _record_new(rows: list[Notification]) -> int:
    """Record the rows whose key this recipient has not had yet (one query to find
    them); a concurrent run's rows are still skipped by the unique key."""
    if not rows:
        return 0
    known = set(
        Notification.objects.filter(
            recipient_id__in={row.recipient_id for row in rows},
            dedup_key__in={row.dedup_key for row in rows},
        ).values_list("recipient_id", "dedup_key")
    )
    new = [row for row in rows if (row.recipient_id, row.dedup_key) not in known]
    with transaction.atomic():
        services.record(new)
    return len(new)


# Reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSource:
    """One model of reports: its name in the dedup key, its page (without a language
    prefix) and how to reach its affiliate."""

    name: str
    path: str
    affiliate: Callable


GRANT_REPORTS = ReportSource(
    "grant", "/grants/reports/{pk}/", lambda report: report.proposal.affiliate
)
ANNUAL_REPORTS = ReportSource(
    "annual", "/affiliates/annual-reports/{pk}/", lambda report: report.affiliate
)


def _window(queryset, today: datetime.date):
    """Reports due within 14 days or overdue by less than the reminders last, not
    on their due day."""
    return queryset.filter(
        due_date__lte=today + datetime.timedelta(days=14),
        due_date__gte=today - datetime.timedelta(weeks=OVERDUE_WEEKS),
    ).exclude(due_date=today)


def grant_reports_to_remind(today: datetime.date):
    return _window(
        GrantReport.objects.filter(status__in=GRANT_REPORT_OPEN)
        .exclude(proposal__affiliate__status=AffiliateStatus.DERECOGNISED)
        .select_related("proposal__affiliate")
        .only(
            "pk",
            "due_date",
            "kind",
            "proposal__id",
            "proposal__affiliate__id",
            "proposal__affiliate__name",
            "proposal__affiliate__working_languages",
        ),
        today,
    )


def annual_reports_to_remind(today: datetime.date):
    deferred = Deferment.objects.filter(
        affiliate=OuterRef("affiliate_id"), valid_from__lte=today, until__gte=today
    )
    return _window(
        AffiliateReport.objects.filter(status__in=ANNUAL_REPORT_OPEN)
        .exclude(affiliate__status=AffiliateStatus.DERECOGNISED)
        .exclude(Exists(deferred))
        .select_related("affiliate")
        .only(
            "pk",
            "due_date",
            "kind",
            "affiliate__id",
            "affiliate__name",
            "affiliate__working_languages",
        ),
        today,
    )


def remind_reports(reports: list, source: ReportSource, today: datetime.date) -> Counts:
    """Record the reminders of one batch of reports to their affiliates' active
    admins: four queries (admins, deliveries, keys known, insert) and the
    read-back of the e-mails to send, whatever the number of reports."""
    counts = Counts(batches=1)
    staged = []
    for report in reports:
        stage = report_stage(report.due_date, today)
        if stage is not None:
            staged.append((report, *stage))
    if not staged:
        return counts
    affiliate_ids = {source.affiliate(report).pk for report, _s, _k in staged}
    admins = defaultdict(list)
    for affiliate_id, user_id in Membership.objects.filter(
        affiliate_id__in=affiliate_ids,
        role=MembershipRole.ADMIN,
        status=MembershipStatus.ACTIVE,
        user__is_active=True,
    ).values_list("affiliate_id", "user_id"):
        admins[affiliate_id].append(user_id)
    deliveries = services.deliveries_for(
        {uid for ids in admins.values() for uid in ids}, Kind.REPORT_DUE
    )
    target_type = ContentType.objects.get_for_model(reports[0])
    rows = []
    for report, stage, key_stage in staged:
        affiliate = source.affiliate(report)
        due = report.due_date.isoformat()
        languages = affiliate.working_languages or []
        for user_id in admins[affiliate.pk]:
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=Kind.REPORT_DUE,
                    target_type=target_type,
                    target_id=report.pk,
                    params={
                        "affiliate_id": affiliate.pk,
                        "affiliate": affiliate.name,
                        "due": due,
                        "stage": stage,
                    },
                    path=source.path.format(pk=report.pk),
                    fallback_language=languages[0] if languages else "",
                    dedup_key=f"report-due:{source.name}:{report.pk}:{due}:{key_stage}",
                    delivery=deliveries[user_id],
                )
            )
            counts.by_stage[stage] += 1
    counts.due = len(rows)
    counts.recorded = _record_new(rows)
    return counts


def report_reminders(today: datetime.date, *, batch_size: int = BATCH) -> Counts:
    """Remind the admins of each affiliate of its grant and annual reports that are
    due soon or overdue and not received yet."""
    counts = Counts()
    for queryset, source in (
        (grant_reports_to_remind(today), GRANT_REPORTS),
        (annual_reports_to_remind(today), ANNUAL_REPORTS),
    ):
        for batch in _batches(queryset, batch_size):
            counts.add(remind_reports(batch, source, today))
    return counts


# Reviews ---------------------------------------------------------------------------


def assignments_to_remind(today: datetime.date):
    """Assignments whose review is due in 1 to 3 days and not submitted, of
    reviewers who may still score the proposal (seated, not recused)."""
    submitted = Review.objects.filter(
        proposal=OuterRef("proposal_id"),
        reviewer=OuterRef("reviewer_id"),
        status=ReviewStatus.SUBMITTED,
    )
    seated = CommitteeMember.objects.filter(
        committee=OuterRef("proposal__round__committee_id"),
        user=OuterRef("reviewer_id"),
        is_active=True,
    )
    recused = recusal_exists(
        OuterRef("reviewer_id"),
        OuterRef("proposal_id"),
        OuterRef("proposal__affiliate_id"),
        OuterRef("proposal__created_at"),
    )
    return (
        ReviewerAssignment.objects.filter(
            proposal__status=ProposalStatus.COMMITTEE_REVIEW,
            proposal__round__scoring_deadline__range=(
                today + datetime.timedelta(days=1),
                today + datetime.timedelta(days=3),
            ),
            reviewer__is_active=True,
        )
        .filter(Exists(seated))
        .exclude(Exists(submitted))
        .exclude(recused)
        .select_related("proposal__round")
        .only("pk", "reviewer_id", "proposal__id", "proposal__round__scoring_deadline")
    )


def remind_reviewers(assignments: list, today: datetime.date) -> Counts:
    """Record the reminders of one batch of assignments: deliveries, keys known,
    insert and read-back, whatever the number of assignments."""
    counts = Counts(batches=1)
    deliveries = services.deliveries_for(
        {a.reviewer_id for a in assignments}, Kind.SCORING_DUE
    )
    target_type = ContentType.objects.get_for_model(assignments[0].proposal)
    rows = []
    for assignment in assignments:
        deadline = assignment.proposal.round.scoring_deadline
        stage = scoring_stage(deadline, today)
        if stage is None:
            continue
        proposal_id = assignment.proposal.pk
        due = deadline.isoformat()
        rows.append(
            Notification(
                recipient_id=assignment.reviewer_id,
                kind=Kind.SCORING_DUE,
                target_type=target_type,
                target_id=proposal_id,
                params={"due": due, "days": (deadline - today).days},
                path=f"/grants/reviews/{proposal_id}/",
                # Reviewers read in their own language; the applicant's is no guide.
                fallback_language="",
                dedup_key=f"scoring-due:proposal:{proposal_id}:{due}:{stage}",
                delivery=deliveries[assignment.reviewer_id],
            )
        )
        counts.by_stage[stage] += 1
    counts.due = len(rows)
    counts.recorded = _record_new(rows)
    return counts


def scoring_reminders(today: datetime.date, *, batch_size: int = BATCH) -> Counts:
    """Remind each reviewer of the reviews they have not submitted, 3 days and
    1 day before the round's scoring deadline."""
    counts = Counts()
    for batch in _batches(assignments_to_remind(today), batch_size):
        counts.add(remind_reviewers(batch, today))
    return counts


def run(today: datetime.date | None = None, now: datetime.datetime | None = None):
    """One reminder run: the report and scoring reminders of `today`, then the
    e-mails whose retry is due and the daily digests. Safe at any frequency and
    concurrently: each reminder is recorded once, each e-mail sent by the run that
    claimed it. Returns the counts of each step.

    `today` may be another day (a test, a catch-up); `now` must be the real time
    or close to it: a claim is taken over when its timeout has passed by `now`, so a
    `now` in the future would take the rows another run is still sending."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return {
        "reports": report_reminders(today),
        "scoring": scoring_reminders(today),
        "retried": delivery.retry_due(now),
        "digests": delivery.send_digests(now),
    }
