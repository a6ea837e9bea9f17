"""The load test's people, chosen from the generated data (grants.load_data), and a
signed-in session for each Locust user: `python bench/load/personas.py OUT.json`.

Run by bench/load/run.py under the same settings and secret key as the app servers,
so that the sessions it writes are the servers' own. Signing 100 people in through
the sign-in form would hit the sign-in rate limits (per address: everyone comes from
127.0.0.1 here), and what we measure is the portal in use, not the sign-in.

- staff: programme staff (two-factor set up, as their role requires);
- members: affiliate admins with a draft, one draft per affiliate, each draft shared
  by two sessions (the same person in two tabs), so that saves collide;
- reviewers: committee members with reviews they may still write (not recused, the
  proposal in committee review, before the deadline);
- the funded grants an anonymous visitor may open, and a round for the packet.
"""

import contextlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from affiliates.choices import MembershipRole, MembershipStatus  # noqa: E402
from affiliates.models import Membership  # noqa: E402
from grants import permissions  # noqa: E402
from grants.choices import ProposalStatus, ReviewStatus  # noqa: E402
from grants.models import (  # noqa: E402
    Proposal,
    ProposalDeclaration,
    ReviewerAssignment,
    Round,
)
from grants.models.reviews import Review  # noqa: E402
from grants.services.coi import proposal_declaration_create  # noqa: E402
from grants.views.public import funded_grants  # noqa: E402
from portal.middleware import saved_language  # noqa: E402

User = get_user_model()


def session_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def prefix_for(user) -> str:
    """The path prefix of the person's saved language (English has none): the
    portal sends them there, so their pages are asked for there at once."""
    language = saved_language(user)
    return f"/{language}" if language and language != settings.LANGUAGE_CODE else ""


def with_two_factor(user):
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP):
        TOTP.activate(user, generate_totp_secret())
    return user


def members(drafts: int) -> list[dict]:
    """Two sessions for each of `drafts` drafts of different affiliates."""
    admins = dict(
        Membership.objects.filter(
            role=MembershipRole.ADMIN,
            status=MembershipStatus.ACTIVE,
            user__username__startswith="load-",
        ).values_list("affiliate_id", "user_id")
    )
    chosen, seen = [], set()
    rows = (
        Proposal.objects.filter(
            status=ProposalStatus.DRAFT, affiliate_id__in=list(admins)
        )
        .order_by("-updated_at")
        .values_list("pk", "affiliate_id")
    )
    for pk, affiliate_id in rows.iterator():
        if affiliate_id in seen:
            continue
        user = User.objects.get(pk=admins[affiliate_id])
        proposal = Proposal.objects.get(pk=pk)
        if not permissions.can_edit_proposal(user, proposal):
            continue
        seen.add(affiliate_id)
        for _tab in range(2):
            chosen.append(
                {
                    "user": user.username,
                    "prefix": prefix_for(user),
                    "draft": pk,
                    "session": "",
                }
            )
        if len(seen) == drafts:
            break
    for persona in chosen:
        persona["session"] = session_for(User.objects.get(username=persona["user"]))
    return chosen


def reviewers(count: int) -> list[dict]:
    """Reviewers with reviews they may still write, and those proposals. A reviewer
    declares first, on each proposal, that they have no conflict of interest (the
    generated data has no declarations), through the service, as on the page."""
    open_work: dict[int, list[Proposal]] = {}
    assignments = (
        ReviewerAssignment.objects.filter(
            proposal__status=ProposalStatus.COMMITTEE_REVIEW,
            reviewer__username__startswith="load-",
        )
        .select_related("proposal__round__rubric", "reviewer")
        .order_by("reviewer_id", "proposal_id")
    )
    for assignment in assignments:
        user, proposal = assignment.reviewer, assignment.proposal
        review = Review.objects.filter(proposal=proposal, reviewer=user).first()
        if review is not None and review.status != ReviewStatus.DRAFT:
            continue
        if not ProposalDeclaration.objects.filter(user=user, proposal=proposal):
            with contextlib.suppress(ValidationError):
                proposal_declaration_create(
                    actor=user,
                    proposal=proposal,
                    has_conflict=False,
                    reason="Load test: no conflict",
                )
        if permissions.review_closed_reason(user, proposal, review) is None:
            open_work.setdefault(user.pk, []).append(proposal)
    people = []
    for user_id, proposals in list(open_work.items())[:count]:
        user = with_two_factor(User.objects.get(pk=user_id))
        mine = proposals[:5]
        people.append(
            {
                "user": user.username,
                "prefix": prefix_for(user),
                "session": session_for(user),
                "proposals": [p.pk for p in mine],
                "criteria": {
                    str(p.pk): list(
                        p.round.rubric.criteria.values_list("pk", flat=True)
                    )
                    for p in mine
                },
            }
        )
    return people


def staff(count: int) -> list[dict]:
    users = User.objects.filter(is_staff=True, username__startswith="load-staff-")
    return [
        {
            "user": u.username,
            "prefix": prefix_for(u),
            "session": session_for(with_two_factor(u)),
        }
        for u in users.order_by("pk")[:count]
    ]


def packet_round(staff_user) -> Round:
    """The round in committee review with the fewest proposals (at least 5): the
    packet a staff member asks for during the test."""
    rounds = [
        (r.proposals.filter(status=ProposalStatus.COMMITTEE_REVIEW).count(), r.pk)
        for r in Round.objects.filter(
            proposals__status=ProposalStatus.COMMITTEE_REVIEW
        ).distinct()
    ]
    sizes = sorted((n, pk) for n, pk in rounds if n >= 5)
    return Round.objects.get(pk=sizes[0][1])


def main(out: str) -> None:
    sizes = json.loads(os.environ.get("LOAD_PERSONA_COUNTS", "{}"))
    people = {
        "staff": staff(sizes.get("staff", 10)),
        "member": members(sizes.get("drafts", 15)),
        "reviewer": reviewers(sizes.get("reviewers", 20)),
        "funded": list(
            funded_grants(AnonymousUser())
            .order_by("-pk")
            .values_list("pk", flat=True)[:300]
        ),
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }
    round_ = packet_round(people["staff"][0])
    with translation.override("en"):
        people["packet_page"] = reverse("grants:committee_round", args=[round_.pk])
        people["packet_start"] = reverse("exports:packet_start", args=[round_.pk])
    people["packet_round"] = round_.pk
    Path(out).write_text(json.dumps(people, indent=1))
    print(
        f"personas: {len(people['staff'])} staff, {len(people['member'])} member "
        f"sessions on {len(people['member']) // 2} drafts, "
        f"{len(people['reviewer'])} reviewers, {len(people['funded'])} funded grants, "
        f"packet round {round_.pk}",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1])
