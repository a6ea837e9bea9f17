"""`{% comment_thread proposal %}`: a proposal's community comments, for the proposal
page (the same partial `grants:comments` swaps with htmx)."""

from django import template

register = template.Library()


@register.inclusion_tag("grants/comments/_thread.html", takes_context=True)
def comment_thread(context, proposal):
    from ..views.comments import thread_context

    request = context["request"]
    return {
        **thread_context(request, proposal),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
