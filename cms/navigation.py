"""Main-menu entries of this app (see portal/navigation.py)."""


def items(request) -> list:
    return []
