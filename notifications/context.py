"""Context processor: the unread count for the bell in the header."""

from functools import cached_property

from .readers import inbox_of


class Bell:
    """Counted once, and only if the page shows the bell (one query)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return inbox_of(self.user).unread().count()


def notification_bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": Bell(user)}
