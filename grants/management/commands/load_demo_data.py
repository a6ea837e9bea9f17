"""Load a small, realistic demo world: affiliates, people, programs, proposals, reports.

Everything goes through the services, so the demo has the same history, checks and
reasons as real use. Running it twice changes nothing.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from affiliates import services as affiliate_services
from affiliates.choices import AffiliateReportKind, MembershipRole, MembershipStatus
from affiliates.models import Affiliate, Membership
from grants.choices import ProposalStatus
from grants.models import FundProgram, Round, Rubric, RubricCriterion
from grants.services import coi, proposals, reports
from grants.services import committees as committee_services
from grants.services import programs as program_services
from grants.services import reviews as review_services
from notifications import reminders
from notifications.choices import Kind
from notifications.models import Notification
from portal.audit import save_audited

DEMO_PASSWORD = "portal-demo-2026"
DAY = datetime.timedelta(days=1)

# Two-factor secrets of the demo accounts that must use it (staff, committee, editorial
# board). Public on purpose, development only: add them to an authenticator app, or
# `python -c "import pyotp; print(pyotp.TOTP('<secret>').now())"`.
DEMO_TOTP_SECRETS = {
    "officer": "GZNUJSB7JFR3IOEWXBPFTCHKZV3Y2D24",
    "editor": "OGX2QHYVYZKRBZT72MRV4YFWB4KE2FDJ",
    "reviewer": "RNS6GCZT7DHQODEF3SORKLHPI3JSR3BL",
    "amir": "6I2VQC2MJXYQQN56VKLASEXZ576HX7LJ",
    "sofia": "6RLP5EZPZZDHIAXBY3F3GH7YGFA4EGVU",
}

PEOPLE = [
    # username, first name, last name, staff
    ("officer", "Amara", "Okafor", True),
    ("lucia", "Lucía", "Mamani", False),
    ("mateo", "Mateo", "Quispe", False),
    ("kofi", "Kofi", "Mensah", False),
    ("nadia", "Nadia", "Haddad", False),
    ("mei", "Mei", "Lin", False),
    ("jonas", "Jonas", "Becker", False),
    ("irina", "Irina", "Sokolova", False),
    ("pending", "Pat", "Waiting", False),
    ("reviewer", "Rosa", "Delgado", False),
    ("amir", "Amir", "Karimi", False),
    ("sofia", "Sofia", "Petrova", False),
    ("editor", "Ewa", "Nowak", False),
    ("outsider", "Omar", "Farouk", False),
]

AFFILIATES = [
    dict(
        slug="altiplano",
        name="Altiplano Wikimedians",
        type="chapter",
        country="BO",
        region="lac",
        working_languages=["es", "ay", "qu"],
        fiscal_year_end_month=12,
        fiscal_year_end_day=31,
        recognition_years_ago=6,
        public_contact="https://altiplano.example.org/contacto",
        hide_members=False,
    ),
    dict(
        slug="volta",
        name="Volta Open Knowledge User Group",
        type="user_group",
        country="GH",
        region="ssa",
        working_languages=["en", "tw", "ee"],
        fiscal_year_end_month=12,
        fiscal_year_end_day=31,
        recognition_years_ago=3,
        public_contact="volta-ug@example.org",
        hide_members=True,
    ),
    dict(
        slug="nile-heritage",
        name="Nile Heritage Wikimedians",
        type="thematic_organization",
        country="EG",
        region="mena",
        working_languages=["ar", "en"],
        fiscal_year_end_month=6,
        fiscal_year_end_day=30,
        recognition_years_ago=4,
        public_contact="https://nile-heritage.example.org",
        hide_members=True,
    ),
    dict(
        slug="pearl-river",
        name="Pearl River Wiki Community",
        type="user_group",
        country="MY",
        region="eseap",
        working_languages=["zh-hans", "ms", "en"],
        fiscal_year_end_month=12,
        fiscal_year_end_day=31,
        recognition_years_ago=2,
        public_contact="pearl-river@example.org",
        hide_members=True,
    ),
    dict(
        slug="rhine-meuse",
        name="Wikimedia Rhine-Meuse",
        type="chapter",
        country="DE",
        region="nwe",
        working_languages=["de", "nl", "fr"],
        fiscal_year_end_month=12,
        fiscal_year_end_day=31,
        recognition_years_ago=2,
        public_contact="info@rhine-meuse.example.org",
        hide_members=False,
    ),
    dict(
        slug="caspian",
        name="Caspian Wiki Initiative",
        type="user_group",
        country="KZ",
        region="cee",
        working_languages=["ru", "kk"],
        fiscal_year_end_month=12,
        fiscal_year_end_day=31,
        recognition_years_ago=3,
        public_contact="",
        hide_members=True,
    ),
]

MEMBERS = [
    # username, affiliate, role, board
    ("lucia", "altiplano", MembershipRole.ADMIN, True),
    ("mateo", "altiplano", MembershipRole.MEMBER, False),
    ("kofi", "volta", MembershipRole.ADMIN, False),
    ("nadia", "nile-heritage", MembershipRole.ADMIN, True),
    ("mei", "pearl-river", MembershipRole.ADMIN, False),
    ("jonas", "rhine-meuse", MembershipRole.ADMIN, True),
    ("irina", "caspian", MembershipRole.ADMIN, False),
]

PROGRAMS = [
    dict(
        slug="rapid-fund",
        name="Rapid Fund",
        description="Small grants for short projects by groups and affiliates.",
        min_amount_usd=Decimal("500"),
        max_amount_usd=Decimal("5000"),
        eligible_types=["chapter", "thematic_organization", "user_group"],
        max_duration_months=12,
        scale=(1, 5),
        criteria=[
            ("Potential for impact", 2),
            ("Ability to execute", 1),
            ("Innovation and learning", 1),
            ("Community engagement", 1),
        ],
    ),
    dict(
        slug="general-support",
        name="General Support Fund",
        description="Unrestricted support for the year's programmes of an affiliate.",
        min_amount_usd=Decimal("10000"),
        max_amount_usd=None,
        eligible_types=["chapter", "thematic_organization", "user_group"],
        max_duration_months=36,
        scale=(1, 10),
        criteria=[
            ("Impact potential", 3),
            ("Innovation and learning", 2),
            ("Ability to execute", 3),
            ("Community engagement", 2),
        ],
    ),
    dict(
        slug="conference-event",
        name="Conference and Event Fund",
        description="Regional conferences and larger events.",
        min_amount_usd=Decimal("10000"),
        max_amount_usd=None,
        eligible_types=["chapter", "thematic_organization", "user_group"],
        max_duration_months=12,
        scale=(1, 5),
        criteria=[("Relevance to the region", 1), ("Plan and budget", 1)],
    ),
]

# The proposals: (key, affiliate, program, language, final status, text, money)
PROPOSALS = [
    dict(
        affiliate="altiplano",
        program="rapid-fund",
        language="es",
        status=ProposalStatus.CLOSED,
        title="Talleres de edición en El Alto",
        summary="Seis talleres para nuevas editoras en bibliotecas barriales de El Alto.",
        description=(
            "Organizamos talleres mensuales con seguimiento por mensajería para que "
            "quienes asisten sigan editando después del primer día. Cada taller termina "
            "con una lista de artículos pendientes sobre la ciudad."
        ),
        currency="BOB",
        rate=Decimal("6.91"),
        lines=[
            ("Talleres", "travel_events", "Refrigerio y transporte", "taller", 1500, 6),
            (
                "Coordinación",
                "personnel",
                "Coordinación a medio tiempo",
                "mes",
                1400,
                6,
            ),
        ],
        targets=[("participants", "", 90), ("new_users", "", 40)],
    ),
    dict(
        affiliate="volta",
        program="rapid-fund",
        language="en",
        status=ProposalStatus.REPORTING,
        title="Recording oral histories along the Volta",
        summary="Audio interviews with elders, transcribed and cited on Wikipedia.",
        description=(
            "Volunteers record elders telling the history of their towns, upload the "
            "audio to Commons with consent forms, and use the transcripts as sources "
            "for articles in Twi and Ewe."
        ),
        currency="GHS",
        rate=Decimal("12.40"),
        lines=[
            (
                "Recording trips",
                "travel_events",
                "Transport to six towns",
                "trip",
                2500,
                6,
            ),
            ("Equipment", "equipment", "Two field recorders", "unit", 4700, 2),
            ("Transcription", "services", "Transcribers", "hour", 95, 120),
        ],
        targets=[("participants", "", 30), ("custom", "Audio files on Commons", 60)],
    ),
    dict(
        affiliate="nile-heritage",
        program="general-support",
        language="ar",
        status=ProposalStatus.FUNDED,
        title="توثيق التراث المعماري في صعيد مصر",
        summary="تصوير المباني التاريخية وكتابة مقالات عنها بالعربية والإنجليزية.",
        description=(
            "نعمل مع طلاب العمارة على تصوير المباني التراثية المهددة، ورفع الصور إلى "
            "ويكيميديا كومنز، وكتابة مقالات موثقة عنها. نختم السنة بمعرض صور مفتوح."
        ),
        currency="EGP",
        rate=Decimal("48.50"),
        lines=[
            ("رحلات التصوير", "travel_events", "نقل وإقامة للفرق", "رحلة", 60000, 8),
            ("منسق المشروع", "personnel", "تنسيق بدوام جزئي", "شهر", 25000, 12),
            ("المعرض", "communications", "طباعة وقاعة", "معرض", 70000, 1),
        ],
        targets=[("participants", "", 60), ("content_pages", "", 300)],
    ),
    dict(
        affiliate="pearl-river",
        program="rapid-fund",
        language="zh-hans",
        status=ProposalStatus.COMMITTEE_REVIEW,
        title="马来西亚华文地方志编辑松",
        summary="组织线上线下编辑松，补充马来西亚华人社区的地方历史条目。",
        description=(
            "我们将在吉隆坡和槟城举办四次编辑松，并提供线上参与方式。线上会议采用"
            "等候室，不提前公开会议链接，以防止骚扰。"
        ),
        currency="MYR",
        rate=Decimal("4.45"),
        lines=[
            ("编辑松", "travel_events", "场地与茶点", "场", 2200, 4),
            ("线上工具", "services", "会议软件订阅", "月", 150, 6),
        ],
        targets=[("participants", "", 80), ("content_pages", "", 150)],
    ),
    dict(
        affiliate="altiplano",
        program="general-support",
        language="es",
        status=ProposalStatus.COMMUNITY_REVIEW,
        title="Apoyo general 2027 para Altiplano Wikimedians",
        summary="Programa anual: educación, patrimonio y lenguas originarias.",
        description=(
            "El plan anual combina el programa de educación con universidades públicas, "
            "el concurso de fotografía de patrimonio y un proyecto de vocabulario en "
            "aimara y quechua con hablantes nativos."
        ),
        currency="BOB",
        rate=Decimal("6.91"),
        lines=[
            ("Educación", "personnel", "Coordinadora de educación", "mes", 5500, 12),
            ("Patrimonio", "travel_events", "Salidas fotográficas", "salida", 3000, 10),
            ("Lenguas", "grants", "Microbecas a hablantes", "beca", 1200, 15),
        ],
        targets=[("participants", "", 400), ("new_users", "", 150)],
    ),
    dict(
        affiliate="volta",
        program="rapid-fund",
        language="en",
        status=ProposalStatus.ELIGIBILITY_CHECK,
        title="Wiki Loves Libraries in Ho",
        summary="Training librarians in Ho to add their collections to Wikidata.",
        description=(
            "Three sessions with the regional library staff, followed by monthly "
            "office hours. Librarians choose the collections; we bring the laptops."
        ),
        currency="GHS",
        rate=Decimal("12.40"),
        lines=[("Sessions", "travel_events", "Venue and meals", "session", 3000, 3)],
        targets=[("participants", "", 25)],
    ),
    dict(
        affiliate="pearl-river",
        program="conference-event",
        language="zh-hans",
        status=ProposalStatus.SUBMITTED,
        title="东南亚华文维基年会",
        summary="为期两天的区域年会，聚集东南亚各地的中文维基编者。",
        description="年会包括工作坊、经验分享和社区安全培训。",
        currency="MYR",
        rate=Decimal("4.45"),
        lines=[
            ("场地", "travel_events", "会议场地两天", "天", 9000, 2),
            ("差旅补助", "travel_events", "参会者差旅", "人", 1800, 20),
        ],
        targets=[("participants", "", 120)],
    ),
    dict(
        affiliate="nile-heritage",
        program="rapid-fund",
        language="ar",
        status=ProposalStatus.DRAFT,
        title="ورشة ويكي بيانات للمتاحف",
        summary="تدريب موظفي المتاحف على إدخال مقتنياتهم في ويكي بيانات.",
        description="مسودة قيد الكتابة.",
        currency="EGP",
        rate=Decimal("48.50"),
        lines=[("الورشة", "travel_events", "قاعة وضيافة", "يوم", 20000, 3)],
        targets=[("participants", "", 20)],
    ),
    dict(
        affiliate="volta",
        program="rapid-fund",
        language="en",
        status=ProposalStatus.APPROVED,
        title="Women in Ghanaian science edit-a-thon",
        summary="Two edit-a-thons writing biographies of Ghanaian women scientists.",
        description="Partnering with a university society; sources gathered in advance.",
        currency="GHS",
        rate=Decimal("12.40"),
        lines=[("Edit-a-thons", "travel_events", "Venue and meals", "event", 9000, 2)],
        targets=[("content_pages", "", 50)],
    ),
    dict(
        affiliate="altiplano",
        program="rapid-fund",
        language="es",
        status=ProposalStatus.APPROVED_WITH_CONDITIONS,
        title="Wikidata para museos de La Paz",
        summary="Inventario de colecciones de tres museos municipales en Wikidata.",
        description="Trabajo con el personal de los museos durante cuatro meses.",
        currency="BOB",
        rate=Decimal("6.91"),
        lines=[
            ("Jornadas", "services", "Jornadas de carga de datos", "jornada", 1800, 8)
        ],
        targets=[("content_pages", "", 2000)],
        conditions="Presentar las cartas de acuerdo de los tres museos antes del pago.",
    ),
    dict(
        affiliate="pearl-river",
        program="rapid-fund",
        language="zh-hans",
        status=ProposalStatus.DECLINED,
        title="维基百科宣传短片",
        summary="制作三部介绍维基百科的短片。",
        description="由专业团队拍摄，社区参与度有限。",
        currency="MYR",
        rate=Decimal("4.45"),
        lines=[("拍摄", "services", "摄制团队", "部", 6000, 3)],
        targets=[("custom", "短片播放次数", 10000)],
        decline_reason="委员会认为项目与社区编辑活动的联系不够紧密。",
    ),
    dict(
        affiliate="nile-heritage",
        program="rapid-fund",
        language="fr",
        status=ProposalStatus.WITHDRAWN,
        title="Photographier les mosquées fatimides",
        summary="Un concours photo sur le patrimoine fatimide du Caire.",
        description="Retiré : le partenaire a reporté l'exposition à l'an prochain.",
        currency="EGP",
        rate=Decimal("48.50"),
        lines=[("Concours", "communications", "Prix et jury", "concours", 90000, 1)],
        targets=[("participants", "", 40)],
    ),
    dict(
        affiliate="caspian",
        program="rapid-fund",
        language="ru",
        status=ProposalStatus.SUBMITTED,
        title="Вики-марафон о степных реках",
        summary="Месячный марафон статей о реках Казахстана на русском и казахском.",
        description="Онлайн-марафон с еженедельными созвонами для новичков.",
        currency="KZT",
        rate=Decimal("505"),
        lines=[("Призы", "communications", "Призы участникам", "приз", 150000, 8)],
        targets=[("content_pages", "", 200)],
    ),
    # In committee review of the Rapid Fund round for the reviewer and committee
    # pages (load_committee): reviewers assigned who have not declared yet, and one
    # where `reviewer` is recused by her declaration of interests.
    dict(
        affiliate="nile-heritage",
        program="rapid-fund",
        language="en",
        status=ProposalStatus.COMMITTEE_REVIEW,
        title="Photo walks in the Nubian villages of Aswan",
        summary="Three photo walks with local guides; pictures and articles follow.",
        description=(
            "Students and local guides walk through three villages, photograph the "
            "painted houses with the owners' consent, and write short articles in "
            "Arabic and English with the guides as sources."
        ),
        currency="EGP",
        rate=Decimal("48.50"),
        lines=[
            (
                "Photo walks",
                "travel_events",
                "Boat, transport, meals",
                "walk",
                30000,
                3,
            ),
            ("Guides", "services", "Local guides", "day", 2500, 6),
        ],
        targets=[("participants", "", 30), ("custom", "Photos on Commons", 600)],
    ),
    dict(
        affiliate="altiplano",
        program="rapid-fund",
        language="es",
        status=ProposalStatus.COMMITTEE_REVIEW,
        title="Diccionario ilustrado aimara en Wikcionario",
        summary="Quinientas entradas en aimara con audio y fotos, hechas con hablantes.",
        description=(
            "Hablantes de El Alto graban la pronunciación y eligen los ejemplos; "
            "voluntarias suben el audio y las fotos y escriben las entradas."
        ),
        currency="BOB",
        rate=Decimal("6.91"),
        lines=[
            ("Grabaciones", "services", "Sesiones con hablantes", "sesión", 900, 12),
            ("Fotografía", "equipment", "Cámara usada", "unidad", 4200, 1),
        ],
        targets=[("content_pages", "", 500)],
    ),
    # In the earlier Rapid Fund round, whose scoring deadline has passed.
    dict(
        affiliate="caspian",
        program="rapid-fund",
        round="earlier",
        language="ru",
        status=ProposalStatus.COMMITTEE_REVIEW,
        title="Фотоэкспедиция к Чарынскому каньону",
        summary="Неделя съёмок природных памятников для Викисклада и статей.",
        description=(
            "Пять участников снимают каньон и окрестности; по фотографиям пишутся "
            "статьи на русском и казахском."
        ),
        currency="KZT",
        rate=Decimal("505"),
        lines=[("Экспедиция", "travel_events", "Транспорт и жильё", "день", 120000, 7)],
        targets=[("custom", "Фотографии на Викискладе", 400)],
    ),
]


QUIET_EMAIL = "django.core.mail.backends.dummy.EmailBackend"
DEMO_UNREAD = {
    Kind.JOIN_REQUESTED,
    Kind.COMMENT_POSTED,
    Kind.COMMENT_REPLY,
    Kind.REPORT_DUE,
    Kind.REVIEWER_ASSIGNED,
    Kind.PROPOSAL_SENT_BACK,
}


class Command(BaseCommand):
    help = "Load the demo affiliates, people, programs, proposals and reports."

    def handle(self, *args, **options):
        if not settings.PORTAL_DEMO_DATA_ALLOWED:
            raise CommandError(
                "load_demo_data refuses to run under production settings: its "
                "accounts have published passwords and two-factor secrets."
            )
        if Affiliate.objects.filter(slug="altiplano").exists():
            self.stdout.write("Demo data is already loaded.")
            return
        # The demo's events fill the demo people's inboxes; their e-mails (to
        # example.org) are not printed, nor are the reminders due today.
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL):
            with transaction.atomic():
                self.load()
            reminders.run(today=self.today, now=timezone.now())
        # What happened long ago has been read; what needs someone now has not.
        Notification.objects.exclude(kind__in=DEMO_UNREAD).update(
            read_at=timezone.now()
        )
        answered = Membership.objects.exclude(status=MembershipStatus.PENDING)
        Notification.objects.filter(
            kind=Kind.JOIN_REQUESTED, target_id__in=answered.values("pk")
        ).update(read_at=timezone.now())
        self.stdout.write(self.style.SUCCESS(self.summary()))

    # People ---------------------------------------------------------------------

    def load(self):
        User = get_user_model()
        self.today = timezone.localdate()
        self.people = {}
        for username, first, last, is_staff in PEOPLE:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                is_staff=is_staff,
                is_superuser=is_staff,
            )
            # A verified address: demo people sign in at once.
            EmailAddress.objects.create(
                user=user, email=user.email, verified=True, primary=True
            )
            if username in DEMO_TOTP_SECRETS:
                TOTP.activate(user, DEMO_TOTP_SECRETS[username])
            self.people[username] = user
        self.staff = self.people["officer"]
        self.load_affiliates()
        self.load_programs()
        self.load_proposals()
        self.load_committee()
        self.load_declarations()
        self.load_reviews()
        self.load_stories()
        self.date_closed_grants()
        self.load_community_comments()
        self.load_deferment_requests()
        self.load_overdue_review()
        self.load_waiting_report()
        self.date_join_request()

    def load_affiliates(self):
        self.affiliates = {}
        for spec in AFFILIATES:
            spec = dict(spec)
            years = spec.pop("recognition_years_ago")
            spec["recognition_date"] = self.today.replace(year=self.today.year - years)
            self.affiliates[spec["slug"]] = affiliate_services.affiliate_create(
                actor=self.staff,
                reason="Recognised by the affiliations committee",
                **spec,
            )
        for username, slug, role, board in MEMBERS:
            user = self.people[username]
            membership = affiliate_services.membership_request(
                actor=user,
                affiliate=self.affiliates[slug],
                message="I help run the group's programmes.",
            )
            affiliate_services.membership_approve(
                actor=self.staff,
                membership=membership,
                role=role,
                is_board=board,
                reason="Confirmed by the affiliate's board",
            )
        affiliate_services.membership_request(
            actor=self.people["pending"],
            affiliate=self.affiliates["altiplano"],
            message="Participé en el último taller y quiero ayudar.",
        )
        self.load_annual_reports()

    def load_annual_reports(self):
        """Everyone but Rhine-Meuse reports on time; Caspian has a deferment."""
        texts = {
            "es": "Resumen del año: talleres, concurso de fotografía y alianzas.",
            "en": "Year in review: workshops, oral history recordings and partnerships.",
            "ar": "ملخص العام: ورش عمل وتصوير للتراث وشراكات مع الجامعات.",
            "zh-hans": "年度回顾：编辑松、线上培训和社区合作。",
        }
        for slug in ("altiplano", "volta", "nile-heritage", "pearl-river"):
            affiliate = self.affiliates[slug]
            admin = Membership.objects.get(
                affiliate=affiliate, role=MembershipRole.ADMIN
            ).user
            summary = texts.get(affiliate.working_languages[0], texts["en"])
            for report in affiliate.annual_reports.order_by("fiscal_year", "kind"):
                fields = {"summary": summary, "report_url": ""}
                if report.kind == AffiliateReportKind.FINANCIAL:
                    fields.update(
                        currency="USD",
                        total_income=Decimal("48200.00"),
                        total_expenses=Decimal("45950.00"),
                    )
                affiliate_services.affiliate_report_update(
                    actor=admin, report=report, reason="Annual report written", **fields
                )
                affiliate_services.affiliate_report_submit(actor=admin, report=report)
                if report.fiscal_year < self.today.year - 1:
                    affiliate_services.affiliate_report_accept(
                        actor=self.staff, report=report, reason="Complete, thank you."
                    )
        affiliate_services.deferment_grant(
            actor=self.staff,
            affiliate=self.affiliates["caspian"],
            cause="government_restriction",
            explanation="New registration rules for associations froze the bank account.",
            valid_from=self.today - 60 * DAY,
            until=self.today + 200 * DAY,
        )

    # Programs -------------------------------------------------------------------

    def load_programs(self):
        self.programs, self.open_rounds, self.past_rounds = {}, {}, {}
        for spec in PROGRAMS:
            spec = dict(spec)
            scale, criteria = spec.pop("scale"), spec.pop("criteria")
            program = save_audited(
                FundProgram(**spec), actor=self.staff, reason="Program set up"
            )
            rubric = save_audited(
                Rubric(program=program, scale_min=scale[0], scale_max=scale[1]),
                actor=self.staff,
            )
            for position, (name, weight) in enumerate(criteria):
                save_audited(
                    RubricCriterion(
                        rubric=rubric, name=name, weight=weight, position=position
                    ),
                    actor=self.staff,
                )
            self.programs[spec["slug"]] = program
            opens = self.today - 20 * DAY
            self.open_rounds[spec["slug"]] = save_audited(
                Round(
                    program=program,
                    rubric=rubric,
                    name=f"{self.today.year} round {2 if self.today.month > 6 else 1}",
                    opens_on=opens,
                    closes_on=opens + 45 * DAY,
                    comment_period_ends_on=opens + 75 * DAY,
                    scoring_deadline=opens + 90 * DAY,
                ),
                actor=self.staff,
                reason="Round announced",
            )
        # An earlier Rapid Fund round. Proposals go only to open rounds, so it opens
        # like the current one; load_overdue_review moves its dates back.
        current = self.open_rounds["rapid-fund"]
        self.past_rounds["rapid-fund"] = save_audited(
            Round(
                program=current.program,
                rubric=current.rubric,
                name=f"{self.today - 110 * DAY:%B %Y} round",
                opens_on=current.opens_on,
                closes_on=current.closes_on,
                comment_period_ends_on=current.comment_period_ends_on,
                scoring_deadline=current.scoring_deadline,
            ),
            actor=self.staff,
            reason="Round announced",
        )

    # Proposals ------------------------------------------------------------------

    def load_proposals(self):
        path = [
            ("submit", None),
            ("start_eligibility_check", "Documents and bank details received"),
            ("start_community_review", "Eligible; open for comments"),
            ("start_committee_review", "Comment period over"),
        ]
        index_of = {
            ProposalStatus.DRAFT: 0,
            ProposalStatus.SUBMITTED: 1,
            ProposalStatus.ELIGIBILITY_CHECK: 2,
            ProposalStatus.COMMUNITY_REVIEW: 3,
            ProposalStatus.COMMITTEE_REVIEW: 4,
        }
        for number, spec in enumerate(PROPOSALS):
            affiliate = self.affiliates[spec["affiliate"]]
            admin = Membership.objects.get(
                affiliate=affiliate, role=MembershipRole.ADMIN
            ).user
            program = self.programs[spec["program"]]
            lines = [
                dict(
                    activity=a,
                    category=c,
                    description=d,
                    unit=u,
                    unit_cost=Decimal(cost),
                    quantity=Decimal(qty),
                )
                for a, c, d, u, cost, qty in spec["lines"]
            ]
            total = sum(line["unit_cost"] * line["quantity"] for line in lines)
            start = self.today + (30 + 5 * number) * DAY
            proposal = proposals.proposal_create(
                actor=admin,
                affiliate=affiliate,
                program=program,
                round=(
                    self.past_rounds
                    if spec.get("round") == "earlier"
                    else self.open_rounds
                )[spec["program"]],
                title=spec["title"],
                summary=spec["summary"],
                description=spec["description"],
                language=spec["language"],
                start_date=start,
                end_date=start + 180 * DAY,
                currency=spec["currency"],
                exchange_rate=spec["rate"],
                amount_requested=total,
                budget_lines=lines,
                target_metrics=[
                    dict(kind=k, name=n, target=t) for k, n, t in spec["targets"]
                ],
                reason="First draft",
            )
            self.advance(proposal, spec, admin, path, index_of)

    def advance(self, proposal, spec, admin, path, index_of):
        final = spec["status"]
        steps = index_of.get(final, len(path))
        if final == ProposalStatus.WITHDRAWN:
            steps = 2
        for name, reason in path[:steps]:
            actor = admin if name == "submit" else self.staff
            getattr(proposals, f"proposal_{name}")(
                actor=actor, proposal=proposal, reason=reason or ""
            )
        if final == ProposalStatus.WITHDRAWN:
            proposals.proposal_withdraw(
                actor=admin, proposal=proposal, reason="Partner postponed the event"
            )
            return
        if final in index_of:
            return
        if final == ProposalStatus.DECLINED:
            proposals.proposal_decline(
                actor=self.staff, proposal=proposal, reason=spec["decline_reason"]
            )
            return
        if final == ProposalStatus.APPROVED_WITH_CONDITIONS:
            proposals.proposal_approve_with_conditions(
                actor=self.staff,
                proposal=proposal,
                conditions=spec["conditions"],
                reason="Strong plan; partner letters still missing",
            )
            return
        proposals.proposal_approve(
            actor=self.staff,
            proposal=proposal,
            reason="Approved by majority of the regional committee",
        )
        if final == ProposalStatus.APPROVED:
            return
        proposals.proposal_fund(
            actor=self.staff, proposal=proposal, reason="Grant agreement signed"
        )
        if final == ProposalStatus.FUNDED:
            return
        proposals.proposal_start_reporting(actor=self.staff, proposal=proposal)
        self.write_reports(proposal, admin, all_of_them=final == ProposalStatus.CLOSED)
        if final == ProposalStatus.CLOSED:
            proposals.proposal_close(
                actor=self.staff, proposal=proposal, reason="All reports accepted"
            )

    def write_reports(self, proposal, admin, all_of_them):
        grant_reports = list(proposal.reports.order_by("due_date"))
        narrative = (
            "Lo que pasó: los talleres se llenaron; la mitad de las personas "
            "siguió editando un mes después."
            if proposal.language == "es"
            else "What happened: every session ran; recordings are on Commons."
        )
        for report in grant_reports if all_of_them else grant_reports[:1]:
            self.write_report(
                report,
                admin,
                narrative=narrative,
                learnings="Follow-up messages matter more than the first session.",
                explanation="Venues were lent for free by partner libraries.",
            )
            reports.grant_report_accept(
                actor=self.staff, report=report, reason="Clear and complete."
            )

    def write_report(
        self,
        report,
        admin,
        *,
        narrative,
        learnings,
        explanation,
        done=0.9,
        spent=Decimal("0.8"),
    ):
        """Write and submit a grant report: `done` of each target reached, `spent`
        of each budget line spent."""
        reports.grant_report_update(
            actor=admin,
            report=report,
            narrative=narrative,
            learnings=learnings,
            metric_results=[
                dict(metric=m, actual=int(m.target * done), comment="")
                for m in report.proposal.target_metrics.all()
            ],
            spending=[
                dict(
                    budget_line=line,
                    spent=(line.total * spent).quantize(Decimal("0.01")),
                    explanation=explanation,
                )
                for line in report.proposal.budget_lines.all()
            ],
            reason="Report written",
        )
        reports.grant_report_submit(actor=admin, report=report)

    def load_waiting_report(self):
        """Nile Heritage sent its interim report: it waits for staff (staff inbox,
        accept or send back on the report's page)."""
        proposal = proposals.Proposal.objects.get(status=ProposalStatus.FUNDED)
        self.write_report(
            proposal.reports.order_by("due_date").first(),
            self.people["nadia"],
            narrative="صوّرنا اثني عشر مبنى في أسوان وقنا ورفعنا الصور إلى كومنز.",
            learnings="أصحاب البيوت يرحبون بنا أكثر حين يأتي معنا طالب من القرية.",
            explanation="نصف الرحلات تمت؛ المعرض في النصف الثاني من السنة.",
            done=0.5,
            spent=Decimal("0.45"),
        )

    def load_declarations(self):
        reviewer = self.people["reviewer"]
        coi.interest_declaration_create(
            actor=reviewer,
            year=self.today.year,
            no_interests=False,
            statement="I volunteer with several groups in Latin America.",
            interests=[
                dict(
                    kind="organisation_role",
                    affiliate=self.affiliates["altiplano"],
                    role="Former treasurer",
                    started_on=datetime.date(self.today.year - 4, 1, 1),
                    ended_on=datetime.date(self.today.year - 2, 12, 31),
                ),
                dict(
                    kind="paid_work",
                    organisation="Museo Nacional de Etnografía",
                    role="Contract photographer",
                    description="Two months of paid photography in 2025.",
                ),
            ],
        )
        committee_review = proposals.Proposal.objects.filter(
            status=ProposalStatus.COMMUNITY_REVIEW
        ).first()
        coi.proposal_declaration_create(
            actor=reviewer,
            proposal=committee_review,
            has_conflict=True,
            conflict_type="board",
            explanation="I sat on this affiliate's board until two years ago.",
        )
        coi.proposal_declaration_create(
            actor=reviewer,
            proposal=proposals.Proposal.objects.get(title="马来西亚华文地方志编辑松"),
            has_conflict=False,
        )

    def load_committee(self):
        """The Rapid Fund committee, for both Rapid Fund rounds, and assignments.
        Rosa (`reviewer`) is assigned Altiplano's dictionary before she names
        Altiplano in her declaration of interests (load_declarations): from then on
        she is recused from it automatically. Nobody has declared on the Nubian photo
        walks yet (the conflict step); Amir is left for the bulk assignment."""
        committee = committee_services.committee_create(
            actor=self.staff,
            name="Rapid Fund committee",
            quorum=3,
            reason="Committee appointed for this year",
        )
        for name in ("reviewer", "amir", "sofia"):
            committee_services.committee_member_add(
                actor=self.staff,
                committee=committee,
                user=self.people[name],
                is_voting=True,
            )
        for round_ in (self.open_rounds["rapid-fund"], self.past_rounds["rapid-fund"]):
            round_.committee = committee
            round_.min_reviews = 2
            save_audited(round_, actor=self.staff, reason="Committee appointed")
        assign = {
            "马来西亚华文地方志编辑松": ("reviewer", "amir", "sofia"),
            "Diccionario ilustrado aimara en Wikcionario": (
                "reviewer",
                "amir",
                "sofia",
            ),
            "Photo walks in the Nubian villages of Aswan": ("reviewer", "sofia"),
            "Фотоэкспедиция к Чарынскому каньону": ("amir",),
        }
        for title, names in assign.items():
            proposal = proposals.Proposal.objects.get(title=title)
            for name in names:
                committee_services.assignment_create(
                    actor=self.staff, proposal=proposal, reviewer=self.people[name]
                )

    def review(self, name, title, marks, recommendation="fund", submit=True):
        """`name` declares no conflict (Rosa did in load_declarations) and scores
        the proposal; a draft unless `submit`."""
        person = self.people[name]
        proposal = proposals.Proposal.objects.get(title=title)
        if name != "reviewer":
            coi.proposal_declaration_create(
                actor=person, proposal=proposal, has_conflict=False
            )
        criteria = list(proposal.round.rubric.criteria.all())
        review = review_services.review_create(
            actor=person,
            proposal=proposal,
            recommendation=recommendation,
            comment_to_applicant="Clear plan; say how you will keep new editors.",
            note_to_committee="Similar event last year went well.",
            scores=[
                {"criterion": c, "value": v, "not_applicable": False}
                for c, v in zip(criteria, marks, strict=False)
            ],
            reason="First reading",
        )
        if submit:
            review_services.review_submit(actor=person, review=review)

    def load_reviews(self):
        """The Chinese proposal is being scored (Sofia's review is a draft); Amir and
        Sofia have scored Altiplano's dictionary, so the ranking has two rows."""
        chinese = "马来西亚华文地方志编辑松"
        self.review("reviewer", chinese, [5, 4, 4, 5])
        self.review("amir", chinese, [4, 3, 5, 4])
        self.review("sofia", chinese, [3, 3, 2, 4], "fund_with_conditions", False)
        dictionary = "Diccionario ilustrado aimara en Wikcionario"
        self.review("amir", dictionary, [4, 4, 3, 5])
        self.review("sofia", dictionary, [4, 3, 4, 4])

    def load_overdue_review(self):
        """Amir began a review in the earlier Rapid Fund round and its scoring
        deadline passed five days ago: overdue for staff, locked for him."""
        self.review("amir", "Фотоэкспедиция к Чарынскому каньону", [4, 3], submit=False)
        opens = self.today - 110 * DAY
        program_services.round_update(
            actor=self.staff,
            round=self.past_rounds["rapid-fund"],
            opens_on=opens,
            closes_on=opens + 45 * DAY,
            comment_period_ends_on=opens + 75 * DAY,
            scoring_deadline=opens + 105 * DAY,
            reason="Dates of the earlier round",
        )

    def date_join_request(self):
        """Pat asked to join Altiplano ten days ago: stuck for more than a week."""
        membership = Membership.objects.get(user=self.people["pending"])
        membership.requested_at -= 10 * DAY
        save_audited(membership, actor=self.staff, reason="Asked ten days ago")

    def load_stories(self):
        from django.contrib.auth.models import Group

        from cms.demo import load_demo_stories
        from cms.services import story_create, story_submit
        from cms.site import EDITORIAL_BOARD

        load_demo_stories(
            affiliates=self.affiliates,
            publisher=self.staff,
            authors={
                "altiplano": [self.people["lucia"], self.people["mateo"]],
                "nile-heritage": [self.people["nadia"]],
                "pearl-river": [self.people["mei"]],
                "volta": [self.people["kofi"]],
            },
        )
        self.people["editor"].groups.add(Group.objects.get(name=EDITORIAL_BOARD))
        # A Russian story waiting for the editorial board.
        story = story_create(
            actor=self.people["irina"],
            affiliate=self.affiliates["caspian"],
            locale="ru",
            title="Марафон статей о степных реках",
            summary="Как мы провели месячный онлайн-марафон и удержали новичков.",
            region="cee",
            date=self.today - 10 * DAY,
            original_language="ru",
            themes=["марафон", "новички"],
            body=[
                {
                    "type": "what_worked",
                    "value": "<p>Еженедельные созвоны для новичков.</p>",
                },
                {
                    "type": "what_did_not_work",
                    "value": "<p>Слишком длинный список тем в начале.</p>",
                },
            ],
        )
        story_submit(actor=self.people["irina"], story=story)

    def date_closed_grants(self):
        """Closed grants were decided a year earlier, so that the public list of
        funded grants spans more than one year (its year filter has a choice)."""
        closed = proposals.Proposal.objects.filter(status=ProposalStatus.CLOSED)
        for proposal in closed.order_by("pk"):
            proposal.decided_at -= 365 * DAY
            save_audited(
                proposal, actor=self.staff, reason="Decided in the previous year"
            )

    def load_community_comments(self):
        """A question, the applicant's answer, a reported comment and one hidden
        after a report, on the proposal open for comments (pages: grants:comments,
        staff moderation)."""
        from grants.models import Proposal
        from grants.permissions import comment_period_open
        from grants.services import comments as comment_services

        proposal = (
            Proposal.objects.select_related("round")
            .filter(status=ProposalStatus.COMMUNITY_REVIEW)
            .first()
        )
        if proposal is None or not comment_period_open(proposal):
            return
        question = comment_services.comment_create(
            actor=self.people["outsider"],
            proposal=proposal,
            body="Will the training material be shared under a free licence?",
        )
        admin = Membership.objects.filter(
            affiliate=proposal.affiliate_id, role=MembershipRole.ADMIN
        ).first()
        if admin is not None:
            comment_services.comment_create(
                actor=admin.user,
                proposal=proposal,
                body="Yes: slides and handouts go to Commons under CC BY-SA.",
                parent=question,
            )
        off_topic = comment_services.comment_create(
            actor=self.people["jonas"],
            proposal=proposal,
            body="Buy cheap followers at this address!",
        )
        comment_services.comment_report(
            actor=self.people["mei"], comment=off_topic, reason="Advertising."
        )
        remark = comment_services.comment_create(
            actor=self.people["irina"],
            proposal=proposal,
            body="Another plan from the same people; the last one changed nothing.",
        )
        report = comment_services.comment_report(
            actor=self.people["kofi"],
            comment=remark,
            reason="About the people, not the plan.",
        )
        comment_services.comment_report_hide(
            actor=self.staff,
            report=report,
            reason="A personal remark, not about the proposal.",
        )

    def load_deferment_requests(self):
        """Rhine-Meuse, past due, asks for a deferment: staff decide it on the
        compliance page (/affiliates/compliance/) or in the admin."""
        affiliate_services.deferment_request(
            actor=self.people["jonas"],
            affiliate=self.affiliates["rhine-meuse"],
            cause="disaster",
            until=self.today + 150 * DAY,
            explanation="The river flooded our office and the treasurer's records "
            "are being rebuilt from the bank statements.",
        )

    def summary(self) -> str:
        secrets = "\n".join(
            f"  {username:<9} {secret}"
            for username, secret in DEMO_TOTP_SECRETS.items()
        )
        return (
            f"Demo data loaded: {Affiliate.objects.count()} affiliates, "
            f"{proposals.Proposal.objects.count()} proposals. Every demo account's "
            f"password is {DEMO_PASSWORD!r} (see README).\n"
            "Two-factor secrets (authenticator app, or pyotp.TOTP(secret).now()):\n"
            f"{secrets}"
        )
