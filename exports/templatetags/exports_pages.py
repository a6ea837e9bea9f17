"""Export buttons for the committee pages, so that the grants templates need not
know the exports app's rules: `{% export_links proposal %}` (proposal PDF, and the
dossier for those who may export it) and `{% packet_panel round %}` (start a round
packet, and the reader's latest packet job of the round)."""

from django import template

register = template.Library()


@register.inclusion_tag("exports/pages/_export_links.html", takes_context=True)
def export_links(context, proposal):
    from .. import permissions

    user = context["request"].user
    return {
        "proposal": proposal,
        "may_dossier": permissions.can_export_dossier(user, proposal),
    }


@register.inclusion_tag("exports/pages/_packet_panel.html", takes_context=True)
def packet_panel(context, round_):
    from .. import permissions
    from ..api import exports_queryset
    from ..choices import ExportKind
    from ..views import job_context

    request = context["request"]
    user = request.user
    result = {
        "round": round_,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "may_export": permissions.can_export_packet(user, round_),
    }
    if result["may_export"]:
        latest = (
            exports_queryset(user)
            .filter(kind=ExportKind.PACKET, object_id=round_.pk, requested_by=user.pk)
            .first()
        )
        if latest is not None:
            result.update(job_context(user, latest))
    return result
