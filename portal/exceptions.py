"""Domain errors raised by services, independent of the API layer."""

from django.utils.translation import gettext_lazy as _


class TransitionNotAllowed(Exception):
    """A state change that the transition table forbids from the current state."""

    def __init__(self, *, obj_label, current, action):
        self.current = current
        self.action = action
        self.message = _(
            "The step “%(action)s” is not possible while the %(object)s is "
            "“%(status)s”."
        ) % {"action": action, "object": obj_label, "status": current}
        super().__init__(self.message)


class StaleRecord(Exception):
    """A write based on a version of the record that is no longer the current one."""

    message = _(
        "Someone changed this record after you loaded it. Load it again to see "
        "their changes, then make yours."
    )

    def __str__(self):
        return str(self.message)
