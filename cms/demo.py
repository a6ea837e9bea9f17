"""Demo learning stories, our own words, in several languages with translations."""

import datetime

from wagtail.models import Locale

from .models import LearningStoryPage
from .site import setup_site

STORIES = [
    dict(
        locale="es",
        affiliate="altiplano",
        slug="talleres-con-seguimiento",
        title="Talleres con seguimiento: por qué volvieron las editoras",
        summary=(
            "Pasamos de talleres sueltos a ciclos con mensajes de seguimiento, y la "
            "mitad de las participantes seguía editando un mes después."
        ),
        region="lac",
        themes=["talleres", "retención"],
        body=[
            (
                "paragraph",
                "<p>Durante dos años organizamos talleres de un día en "
                "bibliotecas de El Alto. Llegaba mucha gente y casi nadie "
                "volvía.</p>",
            ),
            (
                "what_worked",
                "<p>Un grupo de mensajería por taller y una cita fija "
                "cada dos semanas para resolver dudas.</p>",
            ),
            (
                "what_did_not_work",
                "<p>Los certificados impresos no motivaron a "
                "nadie a seguir editando.</p>",
            ),
            (
                "do_differently",
                "<p>Empezar el seguimiento antes del taller, con una "
                "lista de artículos elegidos por las participantes."
                "</p>",
            ),
        ],
        figures=[("Participantes", 90), ("Siguen editando al mes", 46)],
        translate={
            "fr": (
                "Des ateliers suivis : pourquoi les contributrices sont revenues",
                "Nous sommes passés d'ateliers isolés à des cycles avec suivi ; la moitié "
                "des participantes contribuait encore un mois plus tard.",
            )
        },
    ),
    dict(
        locale="ar",
        affiliate="nile-heritage",
        slug="tasweer-alturath",
        title="تصوير التراث المعماري مع طلاب العمارة",
        summary=(
            "دعونا طلاب العمارة إلى تصوير المباني المهددة، فحصلنا على صور أدق ومقالات "
            "أغنى مما توقعنا."
        ),
        region="mena",
        themes=["التراث", "الجامعات"],
        body=[
            (
                "paragraph",
                "<p>بدأنا بقائمة من ثلاثين مبنى في صعيد مصر، ووزعنا الطلاب "
                "على فرق صغيرة مع مرافق من المجتمع.</p>",
            ),
            (
                "what_worked",
                "<p>الشراكة مع قسم العمارة جعلت التصوير جزءًا من المقرر الدراسي.</p>",
            ),
            (
                "what_did_not_work",
                "<p>رفع الصور من الميدان كان بطيئًا بسبب ضعف الاتصال.</p>",
            ),
            ("do_differently", "<p>نحجز يومًا كاملًا للرفع والتوثيق بعد كل رحلة.</p>"),
        ],
        figures=[("صور مرفوعة", 1240), ("مقالات جديدة", 37)],
        translate={
            "en": (
                "Photographing built heritage with architecture students",
                "We invited architecture students to photograph endangered buildings and "
                "got sharper photos and richer articles than we expected.",
            )
        },
    ),
    dict(
        locale="zh-hans",
        affiliate="pearl-river",
        slug="xianshang-bianjisong-anquan",
        title="线上编辑松的安全：等候室与延迟公开链接",
        summary="一次会议被捣乱之后，我们改用等候室，并在活动开始前才发送链接。",
        region="eseap",
        themes=["线上活动", "安全"],
        body=[
            (
                "paragraph",
                "<p>第一次线上编辑松时，会议链接提前公开在社区页面上，"
                "结果有陌生人闯入并刷屏。</p>",
            ),
            (
                "what_worked",
                "<p>开启等候室，并由两名主持人分工：一人讲解，一人审核入场。</p>",
            ),
            ("what_did_not_work", "<p>只靠会议密码并不够，密码很快被转发。</p>"),
            ("do_differently", "<p>报名后通过私信发送链接，活动前一小时才发出。</p>"),
        ],
        figures=[("参与者", 64), ("新建条目", 112)],
        translate={},
    ),
    dict(
        locale="en",
        affiliate="volta",
        slug="oral-histories-consent-first",
        title="Oral histories: consent first",
        summary=(
            "Recording elders taught us to plan consent and language before the "
            "microphones: the recordings came later and went better."
        ),
        region="ssa",
        themes=["oral history", "consent"],
        body=[
            (
                "paragraph",
                "<p>We set out to record the history of six towns along "
                "the Volta in Twi and Ewe.</p>",
            ),
            (
                "what_worked",
                "<p>Explaining the licence in the speaker's language, "
                "with a family member present.</p>",
            ),
            (
                "what_did_not_work",
                "<p>Transcribing in the capital, far from the "
                "speakers who could check names.</p>",
            ),
            ("do_differently", "<p>Train transcribers in each town.</p>"),
        ],
        figures=[("Recordings", 58), ("Articles citing them", 21)],
        translate={},
    ),
]


def _stream(spec):
    blocks = [{"type": kind, "value": value} for kind, value in spec["body"]]
    blocks.append(
        {
            "type": "key_figures",
            "value": [
                {"label": label, "number": str(n)} for label, n in spec["figures"]
            ],
        }
    )
    return blocks


def load_demo_stories(*, affiliates, publisher, authors):
    indexes = setup_site()
    today = datetime.date.today()
    for number, spec in enumerate(STORIES):
        index = indexes[spec["locale"]]
        affiliate = affiliates[spec["affiliate"]]
        story = LearningStoryPage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            affiliate=affiliate,
            region=spec["region"],
            date=today - datetime.timedelta(days=40 * (number + 1)),
            original_language=spec["locale"],
            body=_stream(spec),
            locale=index.locale,
        )
        index.add_child(instance=story)
        story.themes.add(*spec["themes"])
        story.authors.set([a for a in authors.get(spec["affiliate"], [])])
        story.save_revision(user=publisher).publish(user=publisher)
        for code, (title, summary) in spec["translate"].items():
            locale = Locale.objects.get(language_code=code)
            translation = story.copy_for_translation(locale, copy_parents=True)
            translation.title, translation.summary = title, summary
            translation.save_revision(user=publisher).publish(user=publisher)
