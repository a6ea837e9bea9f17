"""Benchmark: the round packet PDF, cold and warm, against WeasyPrint alone.

Run:  .venv/bin/python bench/packet.py [--proposals 50] [--workers 2]
It builds its own throwaway SQLite database and private file folder (or uses
$BENCH_DATABASE_URL, a database it may use freely), and one round in committee review:
each proposal has 3 submitted reviews by committee members who declared no conflict
(4 weighted criteria, each scored with a comment), 10-12 budget lines, 3-4 targets,
a description of several paragraphs and community comments, written in English,
Spanish, French, Arabic, Chinese or Russian so that every bundled font is used.
Then, each measurement in a fresh process so its peak memory (ru_maxrss) is its own:

1. cold packet: no cached dossier (`RenderedPart` rows and files wiped), then
   `request_packet` as staff, end to end (the test settings' ImmediateBackend builds
   it inline): seconds, pages, pages per second, peak memory, where the time went;
2. WeasyPrint alone: the same content (front matter and every dossier, joined into
   one HTML document with page breaks) rendered by `render_html`; the overhead
   ratio is the cold packet's time over this one;
3. warm packet after one proposal's description changed: seconds, share of the
   cold time, and how many dossiers were rendered again (new `RenderedPart` rows);
4. SQL queries of `dossier_context` for a small and a large proposal;
5. the cold packet with --workers processes sharing the tasks `build_packet`
   queues (the ranking's head start, then one per dossier), in that order, as that
   many `db_worker`s would (the task that renders the last part assembles the
   packet), next to what a pure-Python loop gains from as many processes on this
   machine.

Every measuring process first renders a tiny document in every script (imports,
fonts) and loads the URL patterns, as a long-running worker would already have
done; that is not timed.
"""

import argparse
import datetime
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# The worker processes this script starts inherit the folder through the environment.
_tmp = os.environ.get("PORTAL_BENCH_PACKET_DIR") or tempfile.mkdtemp(
    prefix="portal-bench-"
)
os.environ["PORTAL_BENCH_PACKET_DIR"] = _tmp
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3?timeout=60"
)

from django.conf import settings  # noqa: E402

# One private folder for every process of the run (the test settings make a new
# one per process), set before the models bind their storage.
settings.STORAGES = {
    **settings.STORAGES,
    "exports": {
        "BACKEND": "exports.storage.PrivateStorage",
        "OPTIONS": {"location": f"{_tmp}/private"},
    },
}

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

LANGUAGE = "en"  # the packet's language (labels); proposals keep their own
CRITERIA = [("Impact", 3), ("Feasibility", 2), ("Budget", 3), ("Community", 2)]
# How many sentences a description has, per language: a Chinese sentence takes about
# half the room of a Latin one. Tuned for dossiers of 4 to 5 pages (give or take
# a fifth per proposal).
DESCRIPTION_SENTENCES = {
    "en": 22,
    "es": 18,
    "fr": 18,
    "ru": 18,
    "ar": 40,
    "zh-hans": 56,
}
LANGUAGE_MIX = ["en"] * 14 + ["es"] * 11 + ["fr"] * 10 + ["ar", "zh-hans", "ru"] * 5
CURRENCY = {
    "en": ("GHS", "12.5"),
    "es": ("MXN", "17.2"),
    "fr": ("XOF", "600"),
    "ar": ("EGP", "48.5"),
    "zh-hans": ("CNY", "7.2"),
    "ru": ("RUB", "90"),
}
TARGETS = {"seconds": 45.0, "rss_mb": 1024.0, "ratio": 1.25, "warm_share": 0.05}

TEXT = {
    "en": {
        "titles": [
            "Editing workshops in partner libraries",
            "Photographing unlisted heritage sites",
            "A year of mentoring for new editors",
            "University partnerships for open knowledge",
        ],
        "sentences": [
            "The affiliate will run a series of editing workshops in partner "
            "libraries across three regions.",
            "Each workshop combines a short introduction to sources with hands-on "
            "work on articles chosen by the participants.",
            "Volunteers who finished last year's programme will mentor newcomers "
            "during the three months after each event.",
            "We will photograph heritage sites missing from the national list and "
            "upload the images under a free licence.",
            "A part-time coordinator will handle logistics, the registration of "
            "participants and the reports to the fund.",
            "The budget covers venue rental, travel for trainers from outside the "
            "capital, internet access and meals.",
            "We expect most participants to be students, teachers and librarians "
            "who have never edited before.",
            "Results will be tracked with the event dashboard and shared every "
            "month on the affiliate's page.",
            "The main risk is low attendance during the exam period, so the "
            "sessions are scheduled outside it.",
            "Partnerships with two universities give us rooms and equipment at no "
            "cost.",
        ],
        "activities": [
            "Venue rental",
            "Trainer travel",
            "Participant meals",
            "Internet access",
            "Coordinator fee",
            "Printed materials",
            "Camera equipment",
            "Contest prizes",
        ],
        "units": ["day", "person", "month", "item"],
        "metric": "Photos uploaded",
    },
    "es": {
        "titles": [
            "Talleres de edición en bibliotecas asociadas",
            "Fotografía de sitios patrimoniales no inventariados",
            "Un año de mentoría para nuevas editoras",
            "Alianzas universitarias por el conocimiento libre",
        ],
        "sentences": [
            "El afiliado organizará una serie de talleres de edición en bibliotecas "
            "asociadas de tres regiones.",
            "Cada taller combina una breve introducción a las fuentes con trabajo "
            "práctico sobre artículos elegidos por los participantes.",
            "Las personas voluntarias del programa del año pasado acompañarán a las "
            "nuevas durante los tres meses siguientes.",
            "Fotografiaremos sitios patrimoniales que faltan en el inventario "
            "nacional y subiremos las imágenes con licencia libre.",
            "Una coordinadora a media jornada se ocupará de la logística, las "
            "inscripciones y los informes al fondo.",
            "El presupuesto cubre el alquiler de salas, los viajes de las "
            "formadoras, el acceso a internet y las comidas.",
            "Esperamos que la mayoría sean estudiantes, docentes y bibliotecarios "
            "sin experiencia previa de edición.",
            "Los resultados se seguirán con el panel de eventos y se publicarán "
            "cada mes en la página del afiliado.",
            "El principal riesgo es la baja asistencia durante los exámenes, por "
            "eso las sesiones se programan fuera de ese periodo.",
            "Los acuerdos con dos universidades nos ofrecen aulas y equipos sin coste.",
        ],
        "activities": [
            "Alquiler de sala",
            "Viajes de formadoras",
            "Comidas de participantes",
            "Acceso a internet",
            "Honorarios de coordinación",
            "Materiales impresos",
            "Equipo fotográfico",
            "Premios del concurso",
        ],
        "units": ["día", "persona", "mes", "unidad"],
        "metric": "Fotos subidas",
    },
    "fr": {
        "titles": [
            "Ateliers de contribution en bibliothèque",
            "Photographier le patrimoine non inventorié",
            "Une année de mentorat pour les nouveaux contributeurs",
            "Partenariats universitaires pour le savoir libre",
        ],
        "sentences": [
            "L'affilié organisera une série d'ateliers de contribution dans des "
            "bibliothèques partenaires de trois régions.",
            "Chaque atelier associe une courte introduction aux sources à un "
            "travail pratique sur des articles choisis par les participants.",
            "Les bénévoles formés l'an dernier accompagneront les nouveaux venus "
            "pendant les trois mois qui suivent chaque atelier.",
            "Nous photographierons des sites patrimoniaux absents de l'inventaire "
            "national et publierons les images sous licence libre.",
            "Une coordinatrice à mi-temps s'occupera de la logistique, des "
            "inscriptions et des rapports au fonds.",
            "Le budget couvre la location des salles, les déplacements des "
            "formateurs, l'accès à internet et les repas.",
            "La plupart des participants seront sans doute des étudiants, des "
            "enseignants et des bibliothécaires débutants.",
            "Les résultats seront suivis avec le tableau de bord des événements et "
            "publiés chaque mois sur la page de l'affilié.",
            "Le principal risque est une faible participation pendant les examens ; "
            "les séances sont donc prévues en dehors de cette période.",
            "Des partenariats avec deux universités nous donnent des salles et du "
            "matériel gratuitement.",
        ],
        "activities": [
            "Location de salle",
            "Déplacements des formateurs",
            "Repas des participants",
            "Accès à internet",
            "Rémunération de la coordination",
            "Documents imprimés",
            "Matériel photo",
            "Prix du concours",
        ],
        "units": ["jour", "personne", "mois", "unité"],
        "metric": "Photos téléversées",
    },
    "ar": {
        "titles": [
            "ورش تحرير في المكتبات الشريكة",
            "تصوير مواقع التراث غير المسجلة",
            "عام من الإرشاد للمحررين الجدد",
            "شراكات جامعية من أجل المعرفة الحرة",
        ],
        "sentences": [
            "سينظم الفرع سلسلة من ورش التحرير في مكتبات شريكة في ثلاث مناطق.",
            "تجمع كل ورشة بين مقدمة قصيرة عن المصادر وعمل تطبيقي على مقالات "
            "يختارها المشاركون.",
            "سيرافق المتطوعون الذين أتموا برنامج العام الماضي المشاركين الجدد "
            "خلال الأشهر الثلاثة التالية لكل ورشة.",
            "سنصوّر مواقع تراثية غير مدرجة في السجل الوطني وننشر الصور بترخيص حر.",
            "ستتولى منسقة بدوام جزئي التنظيم وتسجيل المشاركين وإعداد التقارير للصندوق.",
            "تغطي الميزانية استئجار القاعات وسفر المدربين والاتصال بالإنترنت والوجبات.",
            "نتوقع أن يكون معظم المشاركين من الطلاب والمعلمين وأمناء المكتبات "
            "الذين لم يحرروا من قبل.",
            "ستُتابع النتائج عبر لوحة الفعاليات وتُنشر شهريًا على صفحة الفرع.",
            "الخطر الرئيسي هو ضعف الحضور في فترة الامتحانات، لذلك جُدولت الجلسات "
            "خارجها.",
            "تتيح لنا الشراكة مع جامعتين الحصول على القاعات والمعدات دون تكلفة.",
        ],
        "activities": [
            "استئجار القاعة",
            "سفر المدربين",
            "وجبات المشاركين",
            "الاتصال بالإنترنت",
            "أجر المنسقة",
            "مطبوعات",
            "معدات التصوير",
            "جوائز المسابقة",
        ],
        "units": ["يوم", "شخص", "شهر", "قطعة"],
        "metric": "الصور المرفوعة",
    },
    "zh-hans": {
        "titles": [
            "合作图书馆编辑工作坊",
            "拍摄未登记的文化遗产",
            "新编者一年指导计划",
            "高校合作推广开放知识",
        ],
        "sentences": [
            "本分会将在三个地区的合作图书馆举办一系列编辑工作坊。",
            "每次工作坊先简要介绍如何引用可靠来源，然后由参与者选择条目进行编辑。",
            "去年完成培训的志愿者将在每次活动后的三个月内指导新参与者。",
            "我们将拍摄尚未列入国家名录的文化遗产地点，并以自由许可证上传照片。",
            "一名兼职协调员负责后勤、报名登记以及向基金提交报告。",
            "预算包括场地租金、外地讲师的差旅费、网络费用和餐费。",
            "我们预计大多数参与者是从未编辑过的学生、教师和图书馆员。",
            "活动成果将通过活动统计面板跟踪，并每月在分会页面上公布。",
            "主要风险是考试期间出席人数偏低，因此活动安排在考试期之外。",
            "与两所大学的合作使我们可以免费使用教室和设备。",
        ],
        "activities": [
            "场地租金",
            "讲师差旅",
            "参与者餐费",
            "网络费用",
            "协调员报酬",
            "印刷材料",
            "摄影器材",
            "比赛奖品",
        ],
        "units": ["天", "人", "月", "件"],
        "metric": "上传的照片",
    },
    "ru": {
        "titles": [
            "Практикумы по редактированию в библиотеках",
            "Фотосъёмка объектов наследия вне реестра",
            "Год наставничества для новых авторов",
            "Университетские партнёрства для свободных знаний",
        ],
        "sentences": [
            "Отделение проведёт серию практикумов по редактированию в партнёрских "
            "библиотеках трёх регионов.",
            "Каждый практикум сочетает короткое введение в работу с источниками и "
            "практику на статьях, выбранных участниками.",
            "Волонтёры, прошедшие программу в прошлом году, будут помогать новичкам "
            "три месяца после каждого занятия.",
            "Мы сфотографируем объекты наследия, которых нет в национальном "
            "реестре, и загрузим снимки под свободной лицензией.",
            "Координатор на полставки займётся логистикой, регистрацией участников "
            "и отчётами для фонда.",
            "Бюджет покрывает аренду помещений, поездки тренеров, доступ в интернет "
            "и питание.",
            "Мы ожидаем, что большинство участников — студенты, учителя и "
            "библиотекари без опыта редактирования.",
            "Результаты будут отслеживаться через панель мероприятий и ежемесячно "
            "публиковаться на странице отделения.",
            "Главный риск — низкая посещаемость во время сессии, поэтому занятия "
            "запланированы вне её.",
            "Партнёрство с двумя университетами даёт нам бесплатные аудитории и "
            "оборудование.",
        ],
        "activities": [
            "Аренда помещения",
            "Поездки тренеров",
            "Питание участников",
            "Доступ в интернет",
            "Оплата координатора",
            "Печатные материалы",
            "Фототехника",
            "Призы конкурса",
        ],
        "units": ["день", "человек", "месяц", "шт."],
        "metric": "Загруженные фотографии",
    },
}


# Building the round ------------------------------------------------------------------


def _prose(rng, language: str, sentences: int, per_paragraph: int = 6) -> str:
    bank = TEXT[language]["sentences"]
    picked = [rng.choice(bank) for _ in range(sentences)]
    joiner = "" if language == "zh-hans" else " "
    paragraphs = [
        joiner.join(picked[i : i + per_paragraph])
        for i in range(0, len(picked), per_paragraph)
    ]
    return "\n\n".join(paragraphs)


def _review(rng, proposal, reviewer, rubric, language, submitted_at):
    from grants.choices import RecommendationChoice, ReviewStatus
    from grants.models import Review

    return Review(
        proposal=proposal,
        reviewer=reviewer,
        rubric=rubric,
        status=ReviewStatus.SUBMITTED,
        recommendation=rng.choice(list(RecommendationChoice.values)),
        comment_to_applicant=_prose(rng, language, rng.randint(2, 4)),
        note_to_committee=_prose(rng, language, rng.randint(1, 2)),
        submitted_at=submitted_at,
    )


def seed(n_proposals: int) -> dict:
    """One round of `n_proposals` in committee review, plus a one-review proposal
    in a second round (for the query count)."""
    from django.utils import timezone

    from grants.choices import BudgetCategory, MetricKind, ProposalStatus
    from grants.models import (
        BudgetLine,
        Committee,
        CommitteeMember,
        ProposalComment,
        ProposalDeclaration,
        Review,
        Score,
        TargetMetric,
    )
    from tests.factories import (
        AffiliateFactory,
        ProposalFactory,
        RoundFactory,
        RubricCriterionFactory,
        RubricFactory,
        StaffFactory,
        UserFactory,
    )

    rng = random.Random(5)
    now = timezone.now()
    today = timezone.localdate()
    staff = StaffFactory(username="bench-staff")
    committee = Committee.objects.create(name="Bench committee", quorum=3)
    rubric = RubricFactory(scale_min=1, scale_max=10)
    criteria = [
        RubricCriterionFactory(
            rubric=rubric, name=name, weight=Decimal(weight), position=position
        )
        for position, (name, weight) in enumerate(CRITERIA)
    ]
    dates = {
        "program": rubric.program,
        "committee": committee,
        "rubric": rubric,
        "opens_on": today - datetime.timedelta(50),
        "closes_on": today - datetime.timedelta(20),
        "comment_period_ends_on": today - datetime.timedelta(5),
        "scoring_deadline": today + datetime.timedelta(20),
    }
    round_, other_round = RoundFactory(**dates), RoundFactory(**dates)
    members = [UserFactory() for _ in range(7)]
    CommitteeMember.objects.bulk_create(
        CommitteeMember(committee=committee, user=user) for user in members
    )
    community = [UserFactory() for _ in range(12)]
    affiliates = [AffiliateFactory() for _ in range(20)]
    languages = LANGUAGE_MIX * (n_proposals // len(LANGUAGE_MIX) + 1)
    languages = languages[:n_proposals]
    rng.shuffle(languages)
    categories = list(BudgetCategory.values)

    lines, metrics, declarations, reviews, comments = [], [], [], [], []
    big_id = None
    for index, language in enumerate(languages):
        text = TEXT[language]
        currency, rate = CURRENCY[language]
        proposal = ProposalFactory(
            lines=False,
            affiliate=rng.choice(affiliates),
            round=round_,
            program=round_.program,
            status=ProposalStatus.COMMITTEE_REVIEW,
            language=language,
            title=f"{rng.choice(text['titles'])} ({index + 1})",
            summary=_prose(rng, language, 3),
            description=_prose(
                rng,
                language,
                round(DESCRIPTION_SENTENCES[language] * rng.uniform(0.7, 1.1)),
            ),
            currency=currency,
            exchange_rate=Decimal(rate),
            submitted_at=now - datetime.timedelta(days=40),
        )
        n_lines = 10 + index % 3
        total = Decimal("0")
        for position in range(n_lines):
            activity = text["activities"][position % len(text["activities"])]
            line = BudgetLine(
                proposal=proposal,
                activity=activity
                if position < len(text["activities"])
                else f"{activity} {position // len(text['activities']) + 1}",
                category=categories[position % len(categories)],
                # A note on every third line.
                description=rng.choice(text["sentences"]) if position % 3 == 0 else "",
                unit=rng.choice(text["units"]),
                unit_cost=Decimal(rng.randint(5, 120)) * Decimal(rate),
                quantity=Decimal(rng.randint(1, 12)),
                currency=currency,
                position=position,
            )
            total += line.total
            lines.append(line)
        proposal.amount_requested = total
        proposal.save(update_fields=["amount_requested"])
        if n_lines == 12 and big_id is None:
            big_id = proposal.pk
        kinds = [
            MetricKind.PARTICIPANTS,
            MetricKind.NEW_USERS,
            MetricKind.CONTENT_PAGES,
        ]
        for kind in kinds:
            metrics.append(
                TargetMetric(proposal=proposal, kind=kind, target=rng.randint(10, 400))
            )
        if index % 2:
            metrics.append(
                TargetMetric(
                    proposal=proposal,
                    kind=MetricKind.CUSTOM,
                    name=text["metric"],
                    target=rng.randint(50, 900),
                )
            )
        for order, reviewer in enumerate(rng.sample(members, 3)):
            declarations.append(
                ProposalDeclaration(
                    user=reviewer, proposal=proposal, has_conflict=False
                )
            )
            reviews.append(
                _review(
                    rng,
                    proposal,
                    reviewer,
                    rubric,
                    language,
                    now - datetime.timedelta(days=10 - order),
                )
            )
        for order in range(2):
            comments.append(
                ProposalComment(
                    proposal=proposal,
                    author=rng.choice(community),
                    body=_prose(rng, language, rng.randint(1, 3)),
                    created_at=now - datetime.timedelta(days=15 - order),
                )
            )

    # A small proposal (the factory's 2 budget lines) with one review.
    small = ProposalFactory(
        affiliate=affiliates[0],
        round=other_round,
        program=other_round.program,
        status=ProposalStatus.COMMITTEE_REVIEW,
        submitted_at=now - datetime.timedelta(days=40),
    )
    declarations.append(
        ProposalDeclaration(user=members[0], proposal=small, has_conflict=False)
    )
    reviews.append(
        _review(rng, small, members[0], rubric, "en", now - datetime.timedelta(9))
    )

    # Benchmark fixtures: written straight to the tables, without history rows.
    BudgetLine.objects.bulk_create(lines)
    TargetMetric.objects.bulk_create(metrics)
    ProposalDeclaration.objects.bulk_create(declarations)
    Review.objects.bulk_create(reviews)
    scores = []
    for review in Review.objects.select_related("proposal").order_by("id"):
        for criterion in criteria:
            scores.append(
                Score(
                    review=review,
                    criterion=criterion,
                    value=rng.randint(3, 10),
                    comment=_prose(rng, review.proposal.language, 1),
                )
            )
    Score.objects.bulk_create(scores)
    ProposalComment.objects.bulk_create(comments)
    replies = [
        ProposalComment(
            proposal=comment.proposal,
            author=rng.choice(community),
            parent=comment,
            body=_prose(rng, comment.proposal.language, 1),
            created_at=comment.created_at + datetime.timedelta(hours=3),
        )
        for comment in comments[::2]
    ]
    ProposalComment.objects.bulk_create(replies)
    return {
        "round": round_.pk,
        "staff": staff.pk,
        "small": small.pk,
        "big": big_id,
        "languages": dict(Counter(languages).most_common()),
    }


# Measuring ---------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _warm_up() -> float:
    """What a worker that has run before has already done: imports, font setup,
    the URL patterns (loaded by the first link put in a notification), pikepdf
    (imported by the first packet's assembly)."""
    from django.urls import get_resolver

    from exports.rendering import Metadata, Part, assemble, render_html

    started = time.perf_counter()
    get_resolver().reverse_dict  # noqa: B018 (loads and indexes every URL pattern)
    tiny = render_html(
        '<html lang="en"><body><p>Warm-up <b>bold</b> <i>italic</i> Привет '
        '<span lang="ar" dir="rtl">مرحبا <b>بكم</b></span> '
        '<span lang="zh">你好 <b>世界</b></span></p></body></html>'
    ).pdf
    assemble([Part(tiny, "Warm-up")], Metadata("Warm-up", "", "en"), tiny, tiny)
    return time.perf_counter() - started


def _wipe_cache() -> None:
    """No packet and no cached dossier: the next packet renders every dossier."""
    from exports.models import Export, RenderedPart
    from exports.storage import private_storage

    Export.objects.all().delete()  # its parts protect the cached dossiers
    RenderedPart.objects.all().delete()
    shutil.rmtree(Path(private_storage().location) / "parts", ignore_errors=True)


TEMPLATE_LABELS = {
    "exports/dossier.html": "dossier HTML → PDF (render_template)",
    "exports/packet_cover.html": "cover HTML → PDF",
    "exports/packet_contents.html": "contents HTML → PDF",
    "exports/packet_ranking.html": "ranking HTML → PDF",
    "exports/packet_page_numbers.html": "page-number layer HTML → PDF",
    "exports/packet_footer.html": "footer line HTML → PDF",
}


class Phases:
    """Time spent in a few functions, wrapped in place in this process only."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.calls = Counter()

    def wrap(self, owner, name: str, label) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            key = label(*args) if callable(label) else label
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1

        setattr(owner, name, timed)

    @classmethod
    def install(cls) -> "Phases":
        from weasyprint.document import Document

        from exports import packets, rendering

        phases = cls()
        phases.wrap(packets, "round_ranking", "round_ranking (plan, assembly)")
        phases.wrap(packets, "dossier_context", "dossier_context (SQL + Python)")
        phases.wrap(packets, "content_key", "content hash (JSON + SHA-256)")
        phases.wrap(
            packets,
            "render_template",
            lambda template, *args: TEMPLATE_LABELS.get(template, template),
        )
        phases.wrap(rendering, "render_to_string", "  of which Django templates")
        phases.wrap(Document, "write_pdf", "  of which WeasyPrint write_pdf")
        phases.wrap(packets, "assemble", "pikepdf: join, tags, outline, footers")
        return phases

    def rows(self, total: float) -> list[tuple[str, int, float]]:
        rows = [(k, self.calls[k], self.seconds[k]) for k in self.seconds]
        rows.sort(key=lambda row: (row[0].startswith(" "), -row[2]))
        counted = sum(s for k, _n, s in rows if not k.startswith(" "))
        rows.insert(
            len([r for r in rows if not r[0].startswith(" ")]),
            ("other (task plumbing, ORM writes, files)", 0, total - counted),
        )
        return rows


def _finished(export):
    from exports.choices import ExportStatus

    export.refresh_from_db()
    if export.status != ExportStatus.READY:
        raise RuntimeError(f"packet {export.pk} is {export.status}: {export.error}")
    return export


def measure_cold(ids: dict) -> dict:
    from django.contrib.auth import get_user_model

    from exports.services import request_packet
    from grants.models import Round

    warm_up = _warm_up()
    _wipe_cache()
    staff = get_user_model().objects.get(pk=ids["staff"])
    round_ = Round.objects.select_related("program").get(pk=ids["round"])
    baseline = _peak_rss_mb()
    phases = Phases.install()
    started = time.perf_counter()
    export = request_packet(actor=staff, round_=round_, language=LANGUAGE)
    seconds = time.perf_counter() - started
    export = _finished(export)
    parts = list(
        export.parts.select_related("rendered", "proposal").order_by("position")
    )
    return {
        "seconds": seconds,
        "pages": export.pages,
        "size": export.size,
        "dossiers": [
            (p.proposal_id, p.proposal.language, p.rendered.pages) for p in parts
        ],
        "rss_mb": _peak_rss_mb(),
        "baseline_mb": baseline,
        "warm_up": warm_up,
        "phases": phases.rows(seconds),
    }


def _body(html: str) -> str:
    return html[html.index("<body>") + len("<body>") : html.rindex("</body>")]


def measure_single_document(ids: dict, dossiers: list, front_pages: int) -> dict:
    """The packet's content as one HTML document, rendered by WeasyPrint alone."""
    from django.contrib.auth import get_user_model
    from django.template.loader import render_to_string
    from django.utils import translation

    from exports.documents.base import content_lang
    from exports.documents.grants import dossier_context, proposal_queryset
    from exports.documents.packet import (
        contents_context,
        cover_context,
        ranking_context,
    )
    from exports.rendering import render_html
    from grants.committee import round_ranking
    from grants.models import Round

    warm_up = _warm_up()
    staff = get_user_model().objects.get(pk=ids["staff"])
    round_ = Round.objects.select_related("program", "committee").get(pk=ids["round"])
    started = time.perf_counter()
    with translation.override(LANGUAGE):
        bodies, entries, page = [], [], front_pages + 1
        for proposal_id, _language, pages in dossiers:
            proposal = proposal_queryset().get(pk=proposal_id)
            context = dossier_context(staff, proposal, LANGUAGE, stamped=True)
            bodies.append(_body(render_to_string("exports/dossier.html", context)))
            entries.append(
                {
                    "reference": proposal.reference,
                    "title": proposal.title,
                    "text": content_lang(proposal.language),
                    "page": page,
                }
            )
            page += pages
        front = render_to_string(
            "exports/packet_cover.html",
            cover_context(
                round_=round_, user=staff, language=LANGUAGE, dossiers=len(entries)
            ),
        )
        contents = render_to_string(
            "exports/packet_contents.html",
            contents_context(
                round_=round_,
                entries=entries,
                withheld=[],
                language=LANGUAGE,
                ranking_page=3,  # a number like any other: it is only printed
            ),
        )
        ranking = render_to_string(
            "exports/packet_ranking.html",
            ranking_context(
                round_=round_, ranking=round_ranking(staff, round_), language=LANGUAGE
            ),
        )
        bodies[:0] = [_body(contents), _body(ranking)]
    # The packet's footer (done there by a separate layer) and the dossiers, each
    # starting on a new page.
    footer = (
        '<div class="footer-start">Generated at a moment UTC by Bench Staff · '
        '<span class="confidential">Confidential – committee use</span></div>'
    )
    style = (
        '<style>@page { @bottom-right { content: "Page " counter(page) " of " '
        "counter(pages); } }</style>"
    )
    html = front.replace("</head>", f"{style}</head>", 1).replace(
        "</body>",
        "".join(f'<div class="break-before">{body}</div>' for body in bodies)
        + "</body>",
    )
    html = html.replace("<body>", f"<body>{footer}", 1)
    html_seconds = time.perf_counter() - started
    baseline = _peak_rss_mb()
    started = time.perf_counter()
    rendered = render_html(html)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "html_seconds": html_seconds,
        "html_kb": len(html.encode()) / 1024,
        "pages": rendered.pages,
        "size": len(rendered.pdf),
        "rss_mb": _peak_rss_mb(),
        "baseline_mb": baseline,
        "warm_up": warm_up,
    }


def measure_warm(ids: dict, changed_id: int) -> dict:
    from django.contrib.auth import get_user_model

    from exports.models import RenderedPart
    from exports.services import request_packet
    from grants.models import Proposal, Round

    warm_up = _warm_up()
    staff = get_user_model().objects.get(pk=ids["staff"])
    round_ = Round.objects.select_related("program").get(pk=ids["round"])
    proposal = Proposal.objects.get(pk=changed_id)
    proposal.description += "\n\nUpdate: the second venue confirmed its offer."
    proposal.save()
    newest = RenderedPart.objects.order_by("-pk").values_list("pk", flat=True).first()
    cached = RenderedPart.objects.count()
    baseline = _peak_rss_mb()
    phases = Phases.install()
    started = time.perf_counter()
    export = request_packet(actor=staff, round_=round_, language=LANGUAGE)
    seconds = time.perf_counter() - started
    export = _finished(export)
    return {
        "seconds": seconds,
        "pages": export.pages,
        "cached_before": cached,
        "created": RenderedPart.objects.filter(pk__gt=newest or 0).count(),
        "rss_mb": _peak_rss_mb(),
        "baseline_mb": baseline,
        "warm_up": warm_up,
        "phases": phases.rows(seconds),
    }


def count_queries(ids: dict) -> list[tuple[str, int, int]]:
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from exports.documents.grants import dossier_context, proposal_queryset

    staff = get_user_model().objects.get(pk=ids["staff"])
    rows = []
    with translation.override(LANGUAGE):
        # Once before counting: the first call fills per-process caches.
        dossier_context(
            staff, proposal_queryset().get(pk=ids["big"]), LANGUAGE, stamped=True
        )
        for proposal_id in (ids["small"], ids["big"]):
            with CaptureQueriesContext(connection) as fetch:
                proposal = proposal_queryset().get(pk=proposal_id)
            with CaptureQueriesContext(connection) as build:
                context = dossier_context(staff, proposal, LANGUAGE, stamped=True)
            reviews = len(context["reviews"])
            shape = (
                f"{reviews} review{'s' if reviews > 1 else ''}, "
                f"{len(context['proposal']['budget_lines'])} budget lines"
            )
            rows.append((shape, len(build), len(fetch)))
    return rows


# Worker pool (measurement 5) ----------------------------------------------------------


def _pool_start(barrier) -> None:
    _warm_up()
    barrier.wait(timeout=600)  # every worker ready before the clock starts


def _pool_task(queued: tuple[str, int]) -> float:
    """One task of the queue: the ranking's head start, or a dossier (the task that
    renders the last dossier also assembles)."""
    from exports import tasks

    kind, pk = queued
    if kind == "front":
        tasks.render_packet_front.call(pk)
    else:
        tasks.render_packet_part.call(pk)
    return _peak_rss_mb()


def _spin(_index: int = 0) -> float:
    """A pure-Python loop: how much parallel CPU the machine really gives."""
    started = time.perf_counter()
    total = 0
    for number in range(12_000_000):
        total += number * number
    return time.perf_counter() - started


def measure_workers(ids: dict, workers: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    from exports import tasks
    from exports.models import ExportPart
    from exports.services import request_packet
    from grants.models import Round

    staff = get_user_model().objects.get(pk=ids["staff"])
    round_ = Round.objects.select_related("program").get(pk=ids["round"])
    _wipe_cache()
    context = get_context("spawn")
    barrier = context.Barrier(workers + 1)
    with context.Pool(workers, _pool_start, (barrier,)) as pool:
        barrier.wait(timeout=600)
        alone = pool.apply(_spin)
        started = time.perf_counter()
        pool.map(_spin, range(workers), chunksize=1)
        capacity = workers * alone / (time.perf_counter() - started)
        started = time.perf_counter()
        # Queue the job and plan it here; the part tasks go to the pool.
        queue_only = {
            "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
        }
        with override_settings(TASKS=queue_only):
            export = request_packet(actor=staff, round_=round_, language=LANGUAGE)
            tasks.build_packet.call(export.pk)
        part_ids = list(
            ExportPart.objects.filter(export=export)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        planned = time.perf_counter() - started
        # In the order build_packet queues them.
        queued = [("front", export.pk)] + [("part", pk) for pk in part_ids]
        worker_rss = pool.map(_pool_task, queued, chunksize=1)
        seconds = time.perf_counter() - started
    export = _finished(export)
    return {
        "seconds": seconds,
        "planned": planned,
        "pages": export.pages,
        "rss_mb": max(worker_rss),
        "capacity": capacity,
    }


def isolated(function, *args):
    """Run a measurement in a fresh process (its own peak RSS)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# Report ------------------------------------------------------------------------------


def _phase_table(title: str, rows, total: float) -> None:
    print(f"\n{title}")
    print(f"  {'where':44} {'calls':>5} {'seconds':>8} {'share':>6}")
    for label, calls, seconds in rows:
        print(f"  {label:44} {calls or '':>5} {seconds:>8.2f} {seconds / total:>6.0%}")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, default=2, help="0 skips the worker pool run"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    ids = seed(args.proposals)
    connection.close()
    print(
        f"seeded in {time.perf_counter() - started:.1f}s: {args.proposals} proposals "
        f"({', '.join(f'{k} {v}' for k, v in ids['languages'].items())}), "
        f"3 reviews x 4 criteria each; {os.cpu_count()} CPUs; folder {_tmp}"
    )

    cold = isolated(measure_cold, ids)
    dossier_pages = [pages for _id, _language, pages in cold["dossiers"]]
    front_pages = cold["pages"] - sum(dossier_pages)
    by_language = defaultdict(list)
    for _id, language, pages in cold["dossiers"]:
        by_language[language].append(pages)
    print(
        f"\n1. cold packet: {cold['seconds']:.1f}s, {cold['pages']} pages "
        f"({front_pages} front + {len(dossier_pages)} dossiers), "
        f"{cold['size'] / 2**20:.1f} MB; peak RSS {cold['rss_mb']:.0f} MB "
        f"(after warm-up {cold['baseline_mb']:.0f} MB; warm-up {cold['warm_up']:.1f}s)"
    )
    print(
        "   pages per dossier: "
        f"mean {sum(dossier_pages) / len(dossier_pages):.2f}, "
        f"min {min(dossier_pages)}, max {max(dossier_pages)}; by language: "
        + ", ".join(
            f"{lang} {sum(p) / len(p):.1f}" for lang, p in sorted(by_language.items())
        )
    )
    _phase_table(
        "   where the cold packet's time went", cold["phases"], cold["seconds"]
    )

    single = isolated(measure_single_document, ids, cold["dossiers"], front_pages)
    print(
        f"\n2. WeasyPrint alone, one HTML document ({single['html_kb']:.0f} KB, built "
        f"in {single['html_seconds']:.1f}s, not counted): {single['seconds']:.1f}s, "
        f"{single['pages']} pages, {single['size'] / 2**20:.1f} MB; "
        f"peak RSS {single['rss_mb']:.0f} MB"
    )

    changed_id = cold["dossiers"][len(cold["dossiers"]) // 2][0]
    warm = isolated(measure_warm, ids, changed_id)
    print(
        f"\n3. warm packet, proposal {changed_id} changed: {warm['seconds']:.1f}s, "
        f"{warm['pages']} pages, {warm['created']} dossier(s) rendered again "
        f"(cache held {warm['cached_before']}); peak RSS {warm['rss_mb']:.0f} MB"
    )
    _phase_table(
        "   where the warm packet's time went", warm["phases"], warm["seconds"]
    )

    queries = count_queries(ids)
    print("\n4. SQL queries of dossier_context (+ fetching the proposal first)")
    for shape, build, fetch in queries:
        print(f"   {shape:30} {build:>3} (+{fetch})")

    workers = None
    if args.workers:
        workers = measure_workers(ids, args.workers)
        print(
            f"\n5. cold packet, {args.workers} worker processes: "
            f"{workers['seconds']:.1f}s (planned after {workers['planned']:.1f}s), "
            f"{workers['pages']} pages; peak RSS per worker {workers['rss_mb']:.0f} MB"
        )
        print(
            f"   for scale: a pure-Python loop in {args.workers} processes does "
            f"{workers['capacity']:.2f}x the work of one process in the same time "
            "on this machine"
        )

    ratio = cold["seconds"] / single["seconds"]
    share = warm["seconds"] / cold["seconds"]
    rows = [
        (
            "cold packet time",
            f"{cold['seconds']:.1f} s",
            f"≤ {TARGETS['seconds']:.0f} s",
            _verdict(cold["seconds"] <= TARGETS["seconds"]),
        ),
        ("cold packet pages", f"{cold['pages']}", "", ""),
        (
            "pages per dossier (mean)",
            f"{sum(dossier_pages) / len(dossier_pages):.2f}",
            "4-5",
            _verdict(4 <= sum(dossier_pages) / len(dossier_pages) <= 5),
        ),
        ("cold pages per second", f"{cold['pages'] / cold['seconds']:.1f}", "", ""),
        (
            "cold peak RSS",
            f"{cold['rss_mb']:.0f} MB",
            f"≤ {TARGETS['rss_mb']:.0f} MB",
            _verdict(cold["rss_mb"] <= TARGETS["rss_mb"]),
        ),
        ("WeasyPrint alone (one document)", f"{single['seconds']:.1f} s", "", ""),
        ("WeasyPrint alone peak RSS", f"{single['rss_mb']:.0f} MB", "", ""),
        (
            "overhead ratio (cold / WeasyPrint)",
            f"{ratio:.2f}",
            f"≤ {TARGETS['ratio']}",
            _verdict(ratio <= TARGETS["ratio"]),
        ),
        (
            "warm packet time",
            f"{warm['seconds']:.2f} s ({share:.1%} of cold)",
            f"≤ {TARGETS['warm_share']:.0%}",
            _verdict(share <= TARGETS["warm_share"]),
        ),
        (
            "dossiers rendered by the warm run",
            f"{warm['created']}",
            "1",
            _verdict(warm["created"] == 1),
        ),
    ]
    for shape, build, _fetch in queries:
        rows.append((f"queries, {shape}", f"{build}", "", ""))
    rows[-1] = (*rows[-1][:2], "equal", _verdict(len({q[1] for q in queries}) == 1))
    if workers:
        rows += [
            (
                f"cold packet, {args.workers} workers",
                f"{workers['seconds']:.1f} s "
                f"({cold['seconds'] / workers['seconds']:.2f}x)",
                "",
                "",
            ),
            (
                f"CPU capacity, {args.workers} processes",
                f"{workers['capacity']:.2f}x (pure-Python loop)",
                "",
                "",
            ),
            (
                f"peak RSS per worker ({args.workers})",
                f"{workers['rss_mb']:.0f} MB",
                "",
                "",
            ),
        ]
    else:
        rows.append(("worker pool run", "skipped (--workers 0)", "", ""))
    print(f"\n{'measurement':38} {'result':26} {'target':12} verdict")
    for name, value, target, verdict in rows:
        print(f"{name:38} {value:26} {target:12} {verdict}".rstrip())


if __name__ == "__main__":
    main()
