"""Realistic volumes of data, fast: for load tests and benchmarks, never for production.

`generate()` writes affiliates with their admins and members, fund programs with
rubrics, committees and rounds, proposals spread over statuses and years with budget
lines and target metrics, reviewer assignments and scored reviews, grant reports and
annual reports, each with its history rows (who, when, why) as the services would
have written them. It writes straight to the tables in batches (`bulk_create`), a few
queries per thousand rows, so it skips the services' checks: the values are chosen to
pass them.

It adds to what is there: a second run with `affiliates=0` spreads more proposals
over the affiliates, rounds and reviewers of the first. The same seed on the same
database gives the same data.
"""

import contextlib
import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from affiliates.choices import (
    AffiliateReportKind,
    AffiliateReportStatus,
    AffiliateStatus,
    AffiliateType,
    MembershipRole,
    MembershipStatus,
)
from affiliates.models import Affiliate, AffiliateReport, Membership
from portal.codes import CURRENCY_CODES

from . import funded_figures
from .choices import (
    BudgetCategory,
    GrantReportKind,
    GrantReportStatus,
    MetricKind,
    ProposalStatus,
    RecommendationChoice,
    ReviewStatus,
)
from .models import (
    BudgetLine,
    Committee,
    CommitteeMember,
    FundProgram,
    GrantReport,
    Proposal,
    ReviewerAssignment,
    Round,
    Rubric,
    RubricCriterion,
    TargetMetric,
)
from .models.reviews import Review, Score

# Everything this module creates is named with this prefix, so that a second run
# finds the world of the first and a reader can tell generated rows apart.
PREFIX = "load"
# Every generated account has this password (the command refuses production).
LOAD_PASSWORD = "portal-load-2026"  # noqa: S105 - published on purpose, as the demo's
FIRST_YEAR = 2018
BATCH = 1000
# Proposals are written this many at a time, with all that hangs on them.
CHUNK = 2000
CENT = Decimal("0.01")

# Where affiliates work: country, region, currency and languages of writing. The
# currencies are checked against the project's ISO 4217 list, the languages include
# the interface languages (settings.LANGUAGES).
PLACES = [
    ("BO", "lac", "BOB", ["es", "qu", "ay"]),
    ("MX", "lac", "MXN", ["es", "nah"]),
    ("BR", "lac", "BRL", ["pt"]),
    ("AR", "lac", "ARS", ["es"]),
    ("GH", "ssa", "GHS", ["en", "tw", "ee"]),
    ("NG", "ssa", "NGN", ["en", "yo", "ha", "ig"]),
    ("KE", "ssa", "KES", ["en", "sw"]),
    ("SN", "ssa", "XOF", ["fr", "wo"]),
    ("CD", "ssa", "CDF", ["fr", "ln"]),
    ("EG", "mena", "EGP", ["ar"]),
    ("MA", "mena", "MAD", ["ar", "fr", "zgh"]),
    ("JO", "mena", "JOD", ["ar"]),
    ("IN", "sa", "INR", ["hi", "bn", "ta", "en"]),
    ("BD", "sa", "BDT", ["bn"]),
    ("NP", "sa", "NPR", ["ne"]),
    ("ID", "eseap", "IDR", ["id", "jv"]),
    ("PH", "eseap", "PHP", ["tl", "en"]),
    ("TW", "eseap", "TWD", ["zh-hant"]),
    ("CN", "eseap", "CNY", ["zh-hans"]),
    ("UA", "cee", "UAH", ["uk"]),
    ("AM", "cee", "AMD", ["hy", "ru"]),
    ("RS", "cee", "RSD", ["sr"]),
    ("KZ", "cee", "KZT", ["kk", "ru"]),
    ("DE", "nwe", "EUR", ["de"]),
    ("FR", "nwe", "EUR", ["fr", "br"]),
    ("SE", "nwe", "SEK", ["sv"]),
    ("GB", "nwe", "GBP", ["en", "cy"]),
    ("US", "na", "USD", ["en", "es"]),
    ("CA", "na", "CAD", ["en", "fr"]),
    ("", "global", "USD", ["en", "fr", "es", "ar", "ru", "zh-hans"]),
]
# Rough local units per US dollar, to keep amounts plausible.
RATES = {
    "BOB": "6.91", "MXN": "17.2", "BRL": "5.1", "ARS": "870", "GHS": "14.8",
    "NGN": "1480", "KES": "129", "XOF": "605", "CDF": "2800", "EGP": "48.5",
    "MAD": "9.9", "JOD": "0.709", "INR": "83.4", "BDT": "117", "NPR": "133",
    "IDR": "16200", "PHP": "57.8", "TWD": "32.1", "CNY": "7.24", "UAH": "41.2",
    "AMD": "388", "RSD": "108", "KZT": "480", "EUR": "0.92", "SEK": "10.6",
    "GBP": "0.79", "USD": "1", "CAD": "1.37",
}  # fmt: skip

GIVEN_NAMES = [
    "Amara", "Lucía", "Mateo", "Kofi", "Nadia", "Mei", "Jonas", "Irina", "Rosa",
    "Amir", "Sofia", "Ewa", "Omar", "Ngozi", "Priya", "Tomás", "Aiko", "Yusuf",
    "Léa", "Dmitri", "Fatima", "Kwame", "Ana", "Bilal", "Chen", "Hana", "Ines",
    "Jamal", "Karin", "Lina", "Malik", "Nia", "Oksana", "Pedro", "Rania", "Sipho",
]  # fmt: skip
FAMILY_NAMES = [
    "Okafor", "Mamani", "Quispe", "Mensah", "Haddad", "Lin", "Becker", "Sokolova",
    "Delgado", "Karimi", "Petrova", "Nowak", "Farouk", "Adeyemi", "Sharma", "Silva",
    "Tanaka", "Demir", "Moreau", "Ivanov", "Benali", "Owusu", "García", "Rahman",
    "Wang", "Kim", "Rossi", "Hassan", "Lindqvist", "Mwangi", "Kovalenko", "Santos",
]  # fmt: skip

# Titles are made of these words: an activity, what it is about, and for whom.
ACTIVITIES = [
    "Editathon", "Photo walk", "Training series", "Community meetup", "Workshop",
    "Translation sprint", "Contest", "Mentoring programme", "Annual plan",
    "Digitisation project", "Outreach campaign", "Conference travel", "Library tour",
]  # fmt: skip
SUBJECTS = [
    "local history", "women in science", "indigenous languages", "public art",
    "rivers and lakes", "traditional music", "medicinal plants", "street names",
    "heritage buildings", "folk tales", "sports clubs", "village archives",
    "open maps", "school libraries", "endangered crafts", "local newspapers",
]  # fmt: skip
AUDIENCES = [
    "for students", "with teachers", "with librarians", "for new editors",
    "in rural towns", "with museums", "for elders", "with universities",
    "in three cities", "online",
]  # fmt: skip
ACTIVITY_LINES = [
    ("Venue", BudgetCategory.TRAVEL_EVENTS, "day"),
    ("Travel", BudgetCategory.TRAVEL_EVENTS, "trip"),
    ("Coordinator", BudgetCategory.PERSONNEL, "month"),
    ("Cameras and storage", BudgetCategory.EQUIPMENT, "item"),
    ("Printing", BudgetCategory.COMMUNICATIONS, "batch"),
    ("Internet access", BudgetCategory.SERVICES, "month"),
    ("Meals", BudgetCategory.TRAVEL_EVENTS, "person"),
    ("Evaluation", BudgetCategory.LEARNING, "survey"),
    ("Bank fees", BudgetCategory.ADMINISTRATIVE, "month"),
]
PROGRAMS = [
    # slug, name, min USD, max USD, eligible types, longest grant (months)
    ("rapid", "Rapid Fund", "500", "5000", None, 12),
    ("general", "General Support Fund", "5000", "400000", None, 24),
    ("conference", "Conference and Event Fund", "2000", "60000", None, 12),
    (
        "alliances",
        "Alliances Fund",
        "10000",
        None,
        [AffiliateType.CHAPTER, AffiliateType.THEMATIC_ORGANIZATION],
        36,
    ),
]
CRITERIA = ["Impact on the community", "Feasibility", "Budget and value"]
CLOSED_PATH = [
    ProposalStatus.DRAFT,
    ProposalStatus.SUBMITTED,
    ProposalStatus.ELIGIBILITY_CHECK,
    ProposalStatus.COMMUNITY_REVIEW,
    ProposalStatus.COMMITTEE_REVIEW,
    ProposalStatus.APPROVED,
    ProposalStatus.FUNDED,
    ProposalStatus.REPORTING,
    ProposalStatus.CLOSED,
]
# Who moves a proposal into each status, and what they say.
STEP_REASONS = {
    ProposalStatus.DRAFT: (False, "Draft started"),
    ProposalStatus.SUBMITTED: (False, "Submitted for review"),
    ProposalStatus.ELIGIBILITY_CHECK: (True, "Eligibility check started"),
    ProposalStatus.COMMUNITY_REVIEW: (True, "Open for community comments"),
    ProposalStatus.COMMITTEE_REVIEW: (True, "Sent to the committee"),
    ProposalStatus.APPROVED: (True, "Approved by the committee"),
    ProposalStatus.APPROVED_WITH_CONDITIONS: (True, "Approved with conditions"),
    ProposalStatus.DECLINED: (True, "Declined by the committee"),
    ProposalStatus.FUNDED: (True, "Payment sent"),
    ProposalStatus.REPORTING: (True, "Reporting period started"),
    ProposalStatus.CLOSED: (True, "Final report accepted; grant closed"),
    ProposalStatus.WITHDRAWN: (False, "Withdrawn by the applicant"),
}
REVIEWED = {
    ProposalStatus.COMMITTEE_REVIEW,
    ProposalStatus.APPROVED,
    ProposalStatus.APPROVED_WITH_CONDITIONS,
    ProposalStatus.DECLINED,
    ProposalStatus.FUNDED,
    ProposalStatus.REPORTING,
    ProposalStatus.CLOSED,
}
DECIDED = REVIEWED - {ProposalStatus.COMMITTEE_REVIEW}
GRANTED = {ProposalStatus.FUNDED, ProposalStatus.REPORTING, ProposalStatus.CLOSED}


class LoadDataRefused(Exception):
    """Raised when the settings do not allow generated data (production)."""


@dataclass
class Counts:
    """What a run wrote: rows per model label, and history rows in all."""

    rows: dict[str, int] = field(default_factory=dict)
    history: int = 0

    def add(self, label: str, count: int) -> None:
        self.rows[label] = self.rows.get(label, 0) + count


@dataclass
class World:
    """The people, affiliates and rounds that proposals are spread over."""

    staff: list
    reviewers_by_program: dict
    affiliates: list  # (affiliate, admin user, member ids)
    rounds: list  # (round, program, criteria)


def path_to(status: str) -> list[str]:
    """The statuses a proposal went through to reach `status`, in order."""
    if status == ProposalStatus.WITHDRAWN:
        return [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, status]
    if status in (
        ProposalStatus.APPROVED_WITH_CONDITIONS,
        ProposalStatus.DECLINED,
    ):
        return CLOSED_PATH[:5] + [status]
    return CLOSED_PATH[: CLOSED_PATH.index(status) + 1]


def _status_for(rng: random.Random, age_days: int) -> str:
    """Old proposals have finished their course; recent ones are still under way."""
    if age_days > 800:
        weights = {
            ProposalStatus.CLOSED: 55,
            ProposalStatus.DECLINED: 25,
            ProposalStatus.WITHDRAWN: 8,
            ProposalStatus.REPORTING: 7,
            ProposalStatus.DRAFT: 5,
        }
    elif age_days > 240:
        weights = {
            ProposalStatus.REPORTING: 30,
            ProposalStatus.FUNDED: 20,
            ProposalStatus.CLOSED: 15,
            ProposalStatus.DECLINED: 20,
            ProposalStatus.WITHDRAWN: 5,
            ProposalStatus.DRAFT: 10,
        }
    else:
        weights = {
            ProposalStatus.DRAFT: 25,
            ProposalStatus.SUBMITTED: 15,
            ProposalStatus.ELIGIBILITY_CHECK: 10,
            ProposalStatus.COMMUNITY_REVIEW: 10,
            ProposalStatus.COMMITTEE_REVIEW: 15,
            ProposalStatus.APPROVED: 5,
            ProposalStatus.APPROVED_WITH_CONDITIONS: 5,
            ProposalStatus.DECLINED: 8,
            ProposalStatus.FUNDED: 5,
            ProposalStatus.WITHDRAWN: 2,
        }
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@contextlib.contextmanager
def given_timestamps(*models):
    """Let bulk_create keep the creation and change times we give (spread over the
    years) instead of stamping every row with now."""
    changed = []
    for model in models:
        for model_field in model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(model_field, flag, False):
                    setattr(model_field, flag, False)
                    changed.append((model_field, flag))
    try:
        yield
    finally:
        for model_field, flag in changed:
            setattr(model_field, flag, True)


class Generator:
    def __init__(
        self,
        *,
        seed: int,
        reviews_per_proposal: int,
        today: datetime.date | None = None,
        log=None,
    ):
        # Reproducible values for test data, not secrets.
        self.rng = random.Random(seed)  # noqa: S311
        self.reviews_per_proposal = reviews_per_proposal
        self.counts = Counts()
        self.log = log or (lambda message: None)
        # Everything happened before today began: the same seed on the same day
        # gives the same rows, whatever the time of the run.
        self.today = today or timezone.localdate()
        self.now = datetime.datetime.combine(
            self.today, datetime.time(), tzinfo=datetime.UTC
        ) - datetime.timedelta(seconds=1)
        self.first_day = datetime.date(FIRST_YEAR, 1, 1)

    # Writing --------------------------------------------------------------------

    def save(self, model, objects: list) -> list:
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH)
            self.counts.add(model._meta.label, len(objects))
        return objects

    def history(self, model, entries: list) -> None:
        """Write history rows; each entry is (object, date, user id, reason, type,
        field overrides)."""
        historical = model.history.model
        names = [f.attname for f in historical.tracked_fields]
        rows = []
        for obj, when, user_id, reason, kind, overrides in entries:
            values = {name: getattr(obj, name) for name in names}
            if overrides:
                values.update(overrides)
            rows.append(
                historical(
                    history_date=when,
                    history_user_id=user_id,
                    history_change_reason=reason,
                    history_type=kind,
                    **values,
                )
            )
        historical.objects.bulk_create(rows, batch_size=BATCH)
        self.counts.history += len(rows)

    def created(self, model, objects, when, user_id, reason: str) -> None:
        """One creation row per object; `when` and `user_id` may be functions."""
        self.history(
            model,
            [
                (
                    obj,
                    when(obj) if callable(when) else when,
                    user_id(obj) if callable(user_id) else user_id,
                    reason,
                    "+",
                    None,
                )
                for obj in objects
            ],
        )

    # Values ---------------------------------------------------------------------

    def moment(self, start: datetime.date, end: datetime.date) -> datetime.datetime:
        """A time of day on a day between `start` and `end` (not in the future)."""
        end = min(end, self.today)
        days = max((end - start).days, 0)
        day = start + datetime.timedelta(days=self.rng.randint(0, days))
        when = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(6, 21), self.rng.randint(0, 59))
        ).replace(tzinfo=datetime.UTC)
        return min(when, self.now)

    def title(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(ACTIVITIES)} on {rng.choice(SUBJECTS)} "
            f"{rng.choice(AUDIENCES)}"
        )

    # The world --------------------------------------------------------------------

    def world(self, n_affiliates: int) -> World:
        users = get_user_model().objects
        staff = list(
            users.filter(username__startswith=f"{PREFIX}-staff-").order_by("pk")
        )
        if not staff:
            staff = self.people("staff", 5, is_staff=True)
        programs = list(
            FundProgram.objects.filter(slug__startswith=f"{PREFIX}-").order_by("pk")
        )
        if not programs:
            self.programs(staff)
            programs = list(
                FundProgram.objects.filter(slug__startswith=f"{PREFIX}-").order_by("pk")
            )
        reviewers_by_program = {}
        for program in programs:
            reviewers_by_program[program.pk] = list(
                CommitteeMember.objects.filter(committee__program=program)
                .order_by("pk")
                .values_list("user_id", flat=True)
            )
        rounds = []
        for round_ in (
            Round.objects.filter(program__in=programs)
            .select_related("program")
            .order_by("opens_on", "pk")
        ):
            criteria = list(
                RubricCriterion.objects.filter(rubric_id=round_.rubric_id).order_by(
                    "position"
                )
            )
            rounds.append((round_, round_.program, criteria))
        if n_affiliates:
            self.affiliates(n_affiliates, staff)
        affiliates = []
        admins = dict(
            Membership.objects.filter(
                affiliate__slug__startswith=f"{PREFIX}-",
                role=MembershipRole.ADMIN,
                status=MembershipStatus.ACTIVE,
            ).values_list("affiliate_id", "user_id")
        )
        for affiliate in Affiliate.objects.filter(
            slug__startswith=f"{PREFIX}-"
        ).order_by("pk"):
            affiliates.append((affiliate, admins.get(affiliate.pk)))
        return World(staff, reviewers_by_program, affiliates, rounds)

    def people(self, role: str, count: int, *, is_staff=False, language=None):
        """Users with a profile and a verified address; returns the users."""
        User = get_user_model()
        start = User.objects.filter(username__startswith=f"{PREFIX}-{role}-").count()
        password = self._password()
        languages = [code for code, _name in settings.LANGUAGES]
        users = []
        for number in range(start + 1, start + count + 1):
            first, last = (
                self.rng.choice(GIVEN_NAMES),
                self.rng.choice(FAMILY_NAMES),
            )
            users.append(
                User(
                    username=f"{PREFIX}-{role}-{number}",
                    email=f"{PREFIX}-{role}-{number}@example.org",
                    first_name=first,
                    last_name=last,
                    password=password,
                    is_staff=is_staff,
                    date_joined=self.moment(self.first_day, self.today),
                )
            )
        self.save(User, users)
        profiles = [
            Profile(
                user=user,
                public_name=f"{user.first_name} {user.last_name[0]}."
                if self.rng.random() < 0.6
                else "",
                language=language or self.rng.choice(languages),
                show_affiliation=self.rng.random() < 0.3,
            )
            for user in users
        ]
        self.save(Profile, profiles)
        self.created(
            Profile, profiles, lambda p: p.user.date_joined, None, "Account created"
        )
        self.save(
            EmailAddress,
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            ],
        )
        return users

    _hashed = None

    def _password(self) -> str:
        if Generator._hashed is None:
            Generator._hashed = make_password(LOAD_PASSWORD)
        return Generator._hashed

    def programs(self, staff) -> None:
        """Fund programs with a rubric, a committee of reviewers and two rounds a
        year since FIRST_YEAR."""
        officer = staff[0].pk
        since = datetime.datetime(FIRST_YEAR - 1, 10, 1, 9, tzinfo=datetime.UTC)
        programs = []
        for slug, name, low, high, types, months in PROGRAMS:
            programs.append(
                FundProgram(
                    slug=f"{PREFIX}-{slug}",
                    name=name,
                    description=f"{name}: support for free knowledge projects.",
                    min_amount_usd=Decimal(low),
                    max_amount_usd=Decimal(high) if high else None,
                    eligible_types=list(types or AffiliateType.values),
                    max_duration_months=months,
                )
            )
        self.save(FundProgram, programs)
        self.created(FundProgram, programs, since, officer, "Program opened")
        rubrics = self.save(
            Rubric, [Rubric(program=program, version=1) for program in programs]
        )
        self.created(Rubric, rubrics, since, officer, "First rubric")
        criteria = self.save(
            RubricCriterion,
            [
                RubricCriterion(
                    rubric=rubric,
                    name=name,
                    guidance=f"How well the proposal shows: {name.lower()}.",
                    weight=Decimal(2 if position == 0 else 1),
                    position=position,
                )
                for rubric in rubrics
                for position, name in enumerate(CRITERIA)
            ],
        )
        self.created(RubricCriterion, criteria, since, officer, "First rubric")
        committees = self.save(
            Committee,
            [
                Committee(name=f"{program.name} committee", program=program, quorum=3)
                for program in programs
            ],
        )
        self.created(Committee, committees, since, officer, "Committee formed")
        seats = []
        for committee in committees:
            for user in self.people("reviewer", 12):
                seats.append(CommitteeMember(committee=committee, user=user))
        self.save(CommitteeMember, seats)
        self.created(CommitteeMember, seats, since, officer, "Joined the committee")
        rounds = []
        for program, rubric, committee in zip(
            programs, rubrics, committees, strict=True
        ):
            for year in range(FIRST_YEAR, self.today.year + 2):
                for half, month in ((1, 1), (2, 7)):
                    opens = datetime.date(year, month, 1)
                    closes = opens + datetime.timedelta(days=150)
                    comments = closes + datetime.timedelta(days=14)
                    rounds.append(
                        Round(
                            program=program,
                            name=f"{year} round {half}",
                            opens_on=opens,
                            closes_on=closes,
                            comment_period_ends_on=comments,
                            scoring_deadline=comments + datetime.timedelta(days=21),
                            committee=committee,
                            rubric=rubric,
                            min_reviews=min(self.reviews_per_proposal, 3) or 1,
                        )
                    )
        self.save(Round, rounds)
        self.created(
            Round,
            rounds,
            lambda r: datetime.datetime.combine(
                r.opens_on - datetime.timedelta(days=30),
                datetime.time(9),
                tzinfo=datetime.UTC,
            ),
            officer,
            "Round planned",
        )

    def affiliates(self, count: int, staff) -> None:
        """Affiliates, each with an admin and two to five members, and their annual
        reports since recognition."""
        start = Affiliate.objects.filter(slug__startswith=f"{PREFIX}-").count()
        officer = self.rng.choice(staff).pk
        rows = []
        for number in range(start + 1, start + count + 1):
            country, region, _currency, languages = self.rng.choice(PLACES)
            kind = self.rng.choices(
                [
                    AffiliateType.USER_GROUP,
                    AffiliateType.CHAPTER,
                    AffiliateType.THEMATIC_ORGANIZATION,
                ],
                weights=[70, 25, 5],
            )[0]
            recognised = self.first_day - datetime.timedelta(
                days=self.rng.randint(0, 3000)
            )
            created = self.moment(recognised, recognised + datetime.timedelta(30))
            subject = self.rng.choice(SUBJECTS)
            month = self.rng.choice([12, 12, 12, 6, 3])
            rows.append(
                Affiliate(
                    name=f"{subject.capitalize()} Wikimedians {number}",
                    slug=f"{PREFIX}-{number}",
                    type=kind,
                    country=country,
                    region=region,
                    working_languages=languages[: self.rng.randint(1, len(languages))],
                    fiscal_year_end_month=month,
                    fiscal_year_end_day=31 if month != 6 else 30,
                    recognition_date=recognised,
                    status=self.rng.choices(list(AffiliateStatus), weights=[94, 4, 2])[
                        0
                    ],
                    public_contact=f"https://{PREFIX}-{number}.example.org",
                    hide_members=self.rng.random() < 0.5,
                    created_at=created,
                    updated_at=created,
                )
            )
        with given_timestamps(Affiliate):
            self.save(Affiliate, rows)
        self.created(Affiliate, rows, lambda a: a.created_at, officer, "Recognised")

        sizes = [self.rng.randint(3, 6) for _ in rows]
        users = self.people("member", sum(sizes))
        memberships = []
        position = 0
        for affiliate, size in zip(rows, sizes, strict=True):
            for index in range(size):
                user = users[position]
                position += 1
                requested = self.moment(
                    affiliate.recognition_date,
                    affiliate.recognition_date + datetime.timedelta(days=400 * index),
                )
                status = (
                    MembershipStatus.ACTIVE
                    if index < 2 or self.rng.random() < 0.85
                    else self.rng.choice(
                        [MembershipStatus.PENDING, MembershipStatus.REMOVED]
                    )
                )
                memberships.append(
                    Membership(
                        user=user,
                        affiliate=affiliate,
                        role=MembershipRole.ADMIN
                        if index == 0
                        else MembershipRole.MEMBER,
                        is_board=index < 2,
                        status=status,
                        message="I help with our events.",
                        requested_at=requested,
                        decided_at=None
                        if status == MembershipStatus.PENDING
                        else requested + datetime.timedelta(days=2),
                    )
                )
        self.save(Membership, memberships)
        self.created(
            Membership,
            memberships,
            lambda m: m.requested_at,
            lambda m: m.user_id,
            "Asked to join",
        )
        self.history(
            Membership,
            [
                (m, m.decided_at, officer, "Request approved", "~", None)
                for m in memberships
                if m.decided_at
            ],
        )
        self.annual_reports(rows)

    def annual_reports(self, affiliates) -> None:
        reports = []
        submitted = []
        for affiliate in affiliates:
            first = max(affiliate.recognition_date.year, FIRST_YEAR)
            for year in range(first, self.today.year):
                year_end = affiliate.fiscal_year_end(year)
                due = year_end + datetime.timedelta(days=180)
                if due > self.today + datetime.timedelta(days=180):
                    continue
                for kind in AffiliateReportKind:
                    late = self.rng.random() < 0.06 or due > self.today
                    if late:
                        status = AffiliateReportStatus.DRAFT
                    else:
                        status = self.rng.choices(
                            [
                                AffiliateReportStatus.ACCEPTED,
                                AffiliateReportStatus.SUBMITTED,
                                AffiliateReportStatus.SENT_BACK,
                            ],
                            weights=[85, 10, 5],
                        )[0]
                    financial = kind == AffiliateReportKind.FINANCIAL
                    currency = self._currency(affiliate)
                    report = AffiliateReport(
                        affiliate=affiliate,
                        fiscal_year=year,
                        kind=kind,
                        due_date=due,
                        status=status,
                        summary=f"Our year: {self.rng.choice(SUBJECTS)}, "
                        f"{self.rng.choice(SUBJECTS)}.",
                        report_url=f"https://{affiliate.slug}.example.org/{year}",
                        currency=currency if financial else "",
                        total_income=Decimal(self.rng.randint(1, 500) * 1000)
                        if financial
                        else None,
                        total_expenses=Decimal(self.rng.randint(1, 500) * 900)
                        if financial
                        else None,
                    )
                    if status != AffiliateReportStatus.DRAFT:
                        report.submitted_at = self.moment(
                            due - datetime.timedelta(days=60), due
                        )
                        submitted.append(report)
                    if status in (
                        AffiliateReportStatus.ACCEPTED,
                        AffiliateReportStatus.SENT_BACK,
                    ):
                        report.reviewed_at = min(
                            report.submitted_at + datetime.timedelta(days=20),
                            self.now,
                        )
                    if status == AffiliateReportStatus.SENT_BACK:
                        report.review_comment = "Please add the bank statement."
                    reports.append(report)
        self.save(AffiliateReport, reports)
        self.created(
            AffiliateReport,
            reports,
            lambda r: self.moment(
                r.due_date - datetime.timedelta(days=200), r.due_date
            ),
            None,
            "Report due",
        )
        self.history(
            AffiliateReport,
            [
                (r, r.submitted_at, None, "Report submitted", "~", None)
                for r in submitted
            ],
        )

    def _currency(self, affiliate) -> str:
        for country, _region, currency, _languages in PLACES:
            if country == affiliate.country:
                return currency
        return "USD"

    # Proposals ------------------------------------------------------------------

    def proposals(self, world: World, count: int) -> None:
        if not world.affiliates or not world.rounds:
            raise ValueError("Proposals need affiliates and rounds: add affiliates.")
        members = {}
        for affiliate_id, user_id in (
            Membership.objects.filter(
                affiliate__slug__startswith=f"{PREFIX}-",
                status=MembershipStatus.ACTIVE,
            )
            .order_by("pk")
            .values_list("affiliate_id", "user_id")
        ):
            members.setdefault(affiliate_id, []).append(user_id)
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            with transaction.atomic():
                self.proposal_chunk(world, members, size)
            done += size
            self.log(f"{done} proposals, {self.counts.history} history rows")

    def proposal_chunk(self, world: World, members: dict, size: int) -> None:
        rng = self.rng
        rounds_open = [
            entry for entry in world.rounds if entry[0].opens_on <= self.today
        ]
        plans = []
        proposals = []
        for _ in range(size):
            affiliate, admin_id = rng.choice(world.affiliates)
            round_, program, criteria = rng.choice(rounds_open)
            if affiliate.type not in program.eligible_types:
                round_, program, criteria = next(
                    entry
                    for entry in rounds_open
                    if affiliate.type in entry[1].eligible_types
                    and entry[0].opens_on.year == round_.opens_on.year
                )
            created = self.moment(round_.opens_on, round_.closes_on)
            status = _status_for(rng, (self.today - created.date()).days)
            if round_.closes_on >= self.today and status not in (
                ProposalStatus.DRAFT,
                ProposalStatus.SUBMITTED,
                ProposalStatus.WITHDRAWN,
            ):
                status = ProposalStatus.SUBMITTED
            currency = self._currency(affiliate)
            rate = Decimal(RATES.get(currency, "1"))
            if currency not in CURRENCY_CODES:  # pragma: no cover - a list typo
                currency, rate = "USD", Decimal(1)
            low = float(program.min_amount_usd)
            high = float(program.max_amount_usd or program.min_amount_usd * 20)
            usd = Decimal(round(rng.uniform(low, min(high, low * 12)), -1))
            amount = (usd * rate).quantize(CENT, rounding=ROUND_HALF_UP)
            start = round_.scoring_deadline + datetime.timedelta(
                days=rng.randint(20, 60)
            )
            months = rng.randint(3, program.max_duration_months or 12)
            end = start + datetime.timedelta(days=months * 30 - 5)
            languages = [*affiliate.working_languages, "en"]
            path = path_to(status)
            creator = rng.choice(members.get(affiliate.pk) or [admin_id])
            proposal = Proposal(
                affiliate=affiliate,
                program=program,
                round=round_,
                title=self.title(),
                summary=f"We will bring people together around "
                f"{rng.choice(SUBJECTS)} and write about it.",
                description=(
                    f"{rng.choice(ACTIVITIES)} and {rng.choice(ACTIVITIES).lower()}"
                    f" {rng.choice(AUDIENCES)}, to improve articles on "
                    f"{rng.choice(SUBJECTS)} and {rng.choice(SUBJECTS)}."
                ),
                language=rng.choice(languages),
                status=status,
                start_date=start,
                end_date=end,
                currency=currency,
                amount_requested=amount,
                exchange_rate=rate,
                created_by_id=creator,
                created_at=created,
            )
            times = [created]
            for _step in path[1:]:
                times.append(
                    min(
                        times[-1] + datetime.timedelta(days=rng.randint(3, 60)),
                        self.now,
                    )
                )
            if len(path) > 1:
                proposal.submitted_at = times[1]
            if status in DECIDED:
                index = path.index(next(s for s in path if s in DECIDED))
                proposal.decided_at = times[index]
                if status != ProposalStatus.DECLINED:
                    share = Decimal(1 if rng.random() < 0.7 else "0.8")
                    proposal.amount_approved = (amount * share).quantize(CENT)
                    proposal.exchange_rate_frozen_at = times[index]
                    if status == ProposalStatus.APPROVED_WITH_CONDITIONS:
                        proposal.conditions = "Send the venue contract first."
            proposal.updated_at = times[-1]
            proposals.append(proposal)
            plans.append((path, times, admin_id, criteria, creator))
        with given_timestamps(Proposal):
            self.save(Proposal, proposals)

        entries = []
        staff_ids = [user.pk for user in world.staff]
        for proposal, (path, times, admin_id, _criteria, creator) in zip(
            proposals, plans, strict=True
        ):
            for index, (step, when) in enumerate(zip(path, times, strict=True)):
                by_staff, reason = STEP_REASONS[step]
                user_id = (
                    rng.choice(staff_ids)
                    if by_staff
                    else (creator if index == 0 else admin_id)
                )
                overrides = {"status": step, "updated_at": when}
                if index < len(path) - 1:
                    if step not in DECIDED:
                        overrides.update(
                            decided_at=None,
                            amount_approved=None,
                            exchange_rate_frozen_at=None,
                            conditions="",
                        )
                entries.append(
                    (
                        proposal,
                        when,
                        user_id,
                        reason,
                        "+" if index == 0 else "~",
                        overrides,
                    )
                )
        self.history(Proposal, entries)

        self.budgets(proposals, plans)
        self.reviews(world, proposals, plans)
        self.grant_reports(proposals, plans)

    def budgets(self, proposals, plans) -> None:
        rng = self.rng
        lines, metrics = [], []
        for proposal in proposals:
            # Split the amount over one to three lines; the last takes the rest.
            count = rng.randint(1, 3)
            remaining = proposal.amount_requested
            for position in range(count):
                activity, category, unit = rng.choice(ACTIVITY_LINES)
                if position == count - 1:
                    quantity, cost = Decimal(1), remaining
                else:
                    quantity = Decimal(rng.randint(1, 10))
                    cost = (remaining / 3 / quantity).quantize(CENT)
                    remaining -= cost * quantity
                lines.append(
                    BudgetLine(
                        proposal=proposal,
                        activity=activity,
                        category=category,
                        description=f"{activity} for the {rng.choice(SUBJECTS)}",
                        unit=unit,
                        unit_cost=cost,
                        quantity=quantity,
                        currency=proposal.currency,
                        position=position,
                    )
                )
            metrics.append(
                TargetMetric(
                    proposal=proposal,
                    kind=MetricKind.PARTICIPANTS,
                    target=rng.randint(10, 300),
                )
            )
            if rng.random() < 0.5:
                metrics.append(
                    TargetMetric(
                        proposal=proposal,
                        kind=MetricKind.CONTENT_PAGES,
                        target=rng.randint(20, 2000),
                    )
                )
        self.save(BudgetLine, lines)
        self.save(TargetMetric, metrics)
        self.created(
            BudgetLine, lines, lambda o: o.proposal.created_at,
            lambda o: o.proposal.created_by_id, "Budget written",
        )  # fmt: skip
        self.created(
            TargetMetric, metrics, lambda o: o.proposal.created_at,
            lambda o: o.proposal.created_by_id, "Targets set",
        )  # fmt: skip

    def reviews(self, world: World, proposals, plans) -> None:
        if not self.reviews_per_proposal:
            return
        rng = self.rng
        staff_ids = [user.pk for user in world.staff]
        assignments, reviews, scores = [], [], []
        review_times = {}
        for proposal, (path, times, _admin, criteria, _creator) in zip(
            proposals, plans, strict=True
        ):
            if proposal.status not in REVIEWED:
                continue
            pool = world.reviewers_by_program[proposal.program_id]
            opened = times[path.index(ProposalStatus.COMMITTEE_REVIEW)]
            decided = proposal.decided_at
            for reviewer_id in rng.sample(
                pool, min(self.reviews_per_proposal, len(pool))
            ):
                assigned = opened + datetime.timedelta(hours=rng.randint(1, 72))
                assignments.append(
                    ReviewerAssignment(
                        proposal=proposal,
                        reviewer_id=reviewer_id,
                        assigned_by_id=rng.choice(staff_ids),
                        assigned_at=min(assigned, self.now),
                    )
                )
                done = decided is not None or rng.random() < 0.6
                submitted = min(
                    (decided or self.now)
                    - datetime.timedelta(hours=rng.randint(1, 48)),
                    self.now,
                )
                submitted = max(submitted, assigned)
                recommendation = rng.choices(list(RecommendationChoice), [5, 2, 2])[0]
                review = Review(
                    proposal=proposal,
                    reviewer_id=reviewer_id,
                    rubric_id=proposal.round.rubric_id,
                    status=ReviewStatus.SUBMITTED if done else ReviewStatus.DRAFT,
                    recommendation=recommendation if done else "",
                    comment_to_applicant="Clear plan; show how you will count "
                    "the articles improved."
                    if done
                    else "",
                    note_to_committee="",
                    submitted_at=submitted if done else None,
                    created_at=min(assigned, self.now),
                    updated_at=submitted if done else min(assigned, self.now),
                )
                reviews.append(review)
                review_times[id(review)] = assigned
                for criterion in criteria:
                    if not done and rng.random() < 0.5:
                        continue
                    scores.append(
                        Score(
                            review=review,
                            criterion=criterion,
                            value=rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 5, 3])[0],
                            not_applicable=False,
                        )
                    )
        self.save(ReviewerAssignment, assignments)
        self.created(
            ReviewerAssignment, assignments, lambda a: a.assigned_at,
            lambda a: a.assigned_by_id, "Reviewer assigned",
        )  # fmt: skip
        with given_timestamps(Review):
            self.save(Review, reviews)
        self.created(
            Review, reviews, lambda r: r.created_at, lambda r: r.reviewer_id,
            "Review started",
        )  # fmt: skip
        self.history(
            Review,
            [
                (r, r.submitted_at, r.reviewer_id, "Review submitted", "~", None)
                for r in reviews
                if r.submitted_at
            ],
        )
        self.save(Score, scores)
        self.created(
            Score, scores, lambda s: s.review.updated_at,
            lambda s: s.review.reviewer_id, "Scored",
        )  # fmt: skip

    def grant_reports(self, proposals, plans) -> None:
        rng = self.rng
        reports, submitted = [], []
        for proposal in proposals:
            if proposal.status not in GRANTED:
                continue
            middle = proposal.start_date + (proposal.end_date - proposal.start_date) / 2
            dues = [
                (GrantReportKind.INTERIM, middle + datetime.timedelta(days=15)),
                (
                    GrantReportKind.FINAL,
                    proposal.end_date + datetime.timedelta(days=30),
                ),
            ]
            for kind, due in dues:
                if proposal.status == ProposalStatus.CLOSED:
                    status = GrantReportStatus.ACCEPTED
                elif proposal.status == ProposalStatus.REPORTING:
                    status = (
                        GrantReportStatus.ACCEPTED
                        if kind == GrantReportKind.INTERIM
                        else rng.choice(
                            [GrantReportStatus.DRAFT, GrantReportStatus.SUBMITTED]
                        )
                    )
                else:
                    status = GrantReportStatus.DRAFT
                report = GrantReport(
                    proposal=proposal,
                    kind=kind,
                    due_date=due,
                    status=status,
                    narrative="We held the events we planned; more people came "
                    "than we expected."
                    if status != GrantReportStatus.DRAFT
                    else "",
                    learnings="Start the venue booking earlier."
                    if status != GrantReportStatus.DRAFT
                    else "",
                )
                if status != GrantReportStatus.DRAFT:
                    report.submitted_at = self.moment(
                        due - datetime.timedelta(days=30), due
                    )
                    report.submitted_by_id = proposal.created_by_id
                    submitted.append(report)
                if status == GrantReportStatus.ACCEPTED:
                    report.reviewed_at = min(
                        report.submitted_at + datetime.timedelta(days=10), self.now
                    )
                reports.append(report)
        self.save(GrantReport, reports)
        self.created(
            GrantReport, reports, lambda r: r.proposal.decided_at or self.now,
            None, "Report scheduled",
        )  # fmt: skip
        self.history(
            GrantReport,
            [
                (r, r.submitted_at, r.submitted_by_id, "Report submitted", "~", None)
                for r in submitted
            ],
        )


def generate(
    *,
    affiliates: int,
    proposals: int,
    reviews_per_proposal: int = 2,
    seed: int = 0,
    force: bool = False,
    today: datetime.date | None = None,
    log=None,
) -> Counts:
    """Add `affiliates` affiliates (with people and annual reports) and `proposals`
    proposals spread over all generated affiliates; returns what was written.

    Refuses under production settings (PORTAL_DEMO_DATA_ALLOWED off) unless `force`.
    """
    if not settings.PORTAL_DEMO_DATA_ALLOWED and not force:
        raise LoadDataRefused(
            "Generated data is not allowed under these settings "
            "(PORTAL_DEMO_DATA_ALLOWED is off)."
        )
    generator = Generator(
        seed=seed, reviews_per_proposal=reviews_per_proposal, today=today, log=log
    )
    with transaction.atomic():
        world = generator.world(affiliates)
    if proposals:
        generator.proposals(world, proposals)
        # Written in bulk, past the award service: the funded page's kept totals.
        funded_figures.awards_changed()
    return generator.counts
