"""State machines as data: each model keeps a table of named transitions.

A service looks its transition up here, which raises `TransitionNotAllowed` (409 in the
API) when the object is not in one of the transition's source states.
"""

from dataclasses import dataclass

from portal.exceptions import TransitionNotAllowed


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str


def transition_table(*transitions: Transition) -> dict[str, Transition]:
    return {t.name: t for t in transitions}


def check_transition(table: dict[str, Transition], name: str, obj) -> str:
    """Return the target state of `name` for `obj`, or raise TransitionNotAllowed."""
    transition = table[name]
    if obj.status not in transition.sources:
        raise TransitionNotAllowed(
            obj_label=obj._meta.verbose_name,
            current=obj.get_status_display(),
            action=name,
        )
    return transition.target


def allowed_transitions(table: dict[str, Transition], obj) -> list[str]:
    return [name for name, t in table.items() if obj.status in t.sources]
