"""Benchmark: server time and SQL queries of every browser page, on the demo data.

Run:  .venv/bin/python bench/pages.py [--repeat 9] [--budget-ms 150]
It builds a throwaway SQLite database (or uses $BENCH_DATABASE_URL, a database it may
flush), loads the demo data, then requests every page of the portal as the person who
would open it (a visitor; lucia and nadia, admins; mateo, a member), in English and
in Arabic, through Django's test client in this process: the time measured is the
server's (URL routing, middleware, queries, template rendering), without a network.
It prints, per page, the median and the slowest of the repeats and the number of
queries, then the slowest page; it exits 1 if any page's median passes the budget.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
_tmp = tempfile.mkdtemp(prefix="portal-bench-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3"
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import translation  # noqa: E402


def _url(name: str, *args, language: str = "en") -> str | None:
    with translation.override(language):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None


def pages_for(username: str | None) -> list[tuple[str, str]]:
    """(label, path name + args) of the pages this person would open in the demo."""
    from affiliates.models import Affiliate, AffiliateReport
    from cms.models import LearningStoryPage
    from grants.models import GrantReport, Proposal

    pages = []
    if username is None:
        pages += [("public home", ("wagtail_serve", "")), ("stories", None)]
        pages += [("funded grants", ("grants:funded",))]
        funded = Proposal.objects.exclude(amount_approved=None).order_by("pk").first()
        if funded:
            pages.append(("a funded grant", ("grants:grant", funded.pk)))
        pages.append(("affiliate directory", ("affiliates:directory",)))
        for affiliate in Affiliate.objects.order_by("pk")[:2]:
            pages.append(("affiliate profile", ("affiliates:profile", affiliate.slug)))
        return pages

    user = get_user_model().objects.get(username=username)
    affiliate = Affiliate.objects.filter(memberships__user=user).order_by("pk").first()
    pages += [
        ("home", ("home",)),
        ("account", ("accounts:overview",)),
        ("API tokens", ("accounts:tokens",)),
        ("proposals", ("grants:proposals",)),
        ("my stories", ("cms:my_stories",)),
        ("new story", ("cms:story_new",)),
    ]
    if affiliate:
        pages += [
            ("dashboard", ("affiliates:dashboard", affiliate.slug)),
            ("members", ("affiliates:members", affiliate.slug)),
            ("profile (member)", ("affiliates:profile", affiliate.slug)),
        ]
        proposals = Proposal.objects.filter(affiliate=affiliate).order_by("pk")
        draft = proposals.filter(status="draft").first()
        if draft:
            for step in ("basics", "plan", "budget", "targets", "review"):
                pages.append(
                    (f"editor: {step}", ("grants:proposal_edit", draft.pk, step))
                )
        for proposal in proposals[:3]:
            pages += [
                ("proposal", ("grants:proposal", proposal.pk)),
                ("proposal history", ("grants:proposal_history", proposal.pk)),
                ("comments", ("grants:comments", proposal.pk)),
            ]
        report = GrantReport.objects.filter(proposal__affiliate=affiliate).first()
        if report:
            pages += [
                ("grant report", ("grants:report", report.pk)),
                ("grant report editor", ("grants:report_edit", report.pk)),
            ]
        annual = AffiliateReport.objects.filter(affiliate=affiliate).first()
        if annual:
            pages.append(("annual report", ("affiliates:annual_report", annual.pk)))
        pages.append(
            ("deferment request", ("affiliates:deferment_request", affiliate.slug))
        )
    story = LearningStoryPage.objects.filter(authors=user).order_by("pk").first()
    if story:
        pages += [
            ("story", ("cms:story", story.pk)),
            ("story editor", ("cms:story_edit", story.pk)),
        ]
    return pages


def measure(client: Client, path: str, repeat: int):
    client.get(path)  # warm caches, template loading
    times, queries, status = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        queries, status = len(captured), response.status_code
    return statistics.median(times), max(times), queries, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--budget-ms", type=float, default=150.0)
    args = parser.parse_args()

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    from cms.site import setup_site

    setup_site()
    call_command("load_demo_data", verbosity=0)

    rows, missing = [], []
    for username in (None, "lucia", "mateo", "nadia"):
        client = Client()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        for label, target in pages_for(username):
            for language in ("en", "ar"):
                if target is None:
                    path = "/stories/" if language == "en" else f"/{language}/stories/"
                elif target[0] == "wagtail_serve":
                    path = "/" if language == "en" else f"/{language}/"
                else:
                    path = _url(target[0], *target[1:], language=language)
                if path is None:
                    missing.append(label)
                    continue
                median, slowest, queries, status = measure(client, path, args.repeat)
                who = username or "visitor"
                rows.append((median, slowest, queries, status, who, label, path))

    print(f"{'median ms':>9} {'max ms':>7} {'queries':>7} {'status':>6}  who      page")
    for median, slowest, queries, status, who, label, path in sorted(rows):
        print(
            f"{median:9.1f} {slowest:7.1f} {queries:7d} {status:6d}  {who:<8} "
            f"{label} ({path})"
        )
    if missing:
        print("Not routed:", ", ".join(sorted(set(missing))))
    worst = max(rows)
    print(
        f"\n{len(rows)} pages; slowest: {worst[5]} ({worst[6]}) as {worst[4]}, "
        f"median {worst[0]:.1f} ms, max {worst[1]:.1f} ms, {worst[2]} queries; "
        f"budget {args.budget_ms:.0f} ms"
    )
    not_ok = [r for r in rows if r[3] >= 400]
    if not_ok:
        print(f"{len(not_ok)} pages did not answer 2xx/3xx:")
        for r in not_ok:
            print(f"  {r[3]} {r[6]} as {r[4]}")
    return 1 if worst[0] > args.budget_ms or not_ok else 0


if __name__ == "__main__":
    sys.exit(main())
