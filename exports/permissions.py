"""Who may export what: the same rules as the data each document shows.

- proposal PDF: whoever may see the proposal, with the fields they may see (the
  budget lines only for the applicant, staff and the committee with access);
- committee dossier: staff, and committee members who declared no conflict for the
  proposal and are not recused;
- round packet: staff and the round's committee; a member's packet holds only the
  dossiers they may read (the others are listed as withheld, with the reason);
- grant report PDF: staff and the grantee's members;
- compliance summary: staff and the affiliate's members; all affiliates: staff;
- learning story PDF: published stories for everyone, drafts for their affiliate.
A stored file is downloaded only by the person it was built for, and only while they
may still read every dossier in it.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from affiliates.permissions import is_member, is_staff
from grants import permissions as grants

DOSSIER_REFUSAL = _(
    "Only staff and committee members who declared no conflict for this proposal "
    "can export its dossier."
)
PACKET_REFUSAL = _("Only staff and the round's committee export packets.")
COMPLIANCE_REFUSAL = _(
    "Only staff and the affiliate's members can export its compliance."
)
ALL_COMPLIANCE_REFUSAL = _("Only staff export every affiliate's compliance.")


def can_export_dossier(user, proposal) -> bool:
    return grants.has_committee_access(user, proposal)


def can_export_packet(user, round_) -> bool:
    return grants.can_view_ranking(user, round_)


def can_export_compliance(user, affiliate) -> bool:
    return is_staff(user) or is_member(user, affiliate.pk)


def can_export_all_compliance(user) -> bool:
    return is_staff(user)


def visible_exports(user, queryset: QuerySet) -> QuerySet:
    """The record of exports: your own; staff read everyone's (the audit)."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(requested_by=user.pk)


def _has_file(export) -> bool:
    from .choices import ExportStatus

    return export.status == ExportStatus.READY and bool(export.file)


def offers_download(user, export) -> bool:
    """A ready packet offers its download link to the person who asked for it (the
    download itself is checked again, see `download_refusal`)."""
    return _has_file(export) and export.requested_by_id == getattr(user, "pk", None)


def can_download(user, export) -> bool:
    """Only the person it was built for, and only while everything in it is still
    theirs to read."""
    from grants.models import Proposal, Round

    from .choices import ExportKind, PartStatus

    if not (user and user.is_authenticated) or export.requested_by_id != user.pk:
        return False
    if export.kind != ExportKind.PACKET:
        return False
    round_ = Round.objects.filter(pk=export.object_id).first()
    if round_ is None or not can_export_packet(user, round_):
        return False
    included = export.parts.filter(status=PartStatus.DONE).values("proposal_id")
    readable = grants.committee_proposals(
        user, Proposal.objects.filter(pk__in=included)
    ).count()
    return readable == included.count()


def download_refusal(user, export) -> str | None:
    """Why the reader may not download this stored file now, or None.

    Checked at every download: the file must exist, the reader must be who built it
    and still read every dossier in it, and each dossier must still be exactly what
    they would get now (a hidden comment or a new recusal changes that)."""
    from .packets import is_current

    if not _has_file(export):
        return _("This export has no file to download.")
    if not can_download(user, export):
        return _(
            "Only the person who built this packet can download it, and only "
            "while they may still read every dossier in it. Build a new one."
        )
    if not is_current(export):
        return _(
            "What this packet shows has changed since it was built. Build a "
            "new one: dossiers that did not change are reused, so it is quick."
        )
    return None
