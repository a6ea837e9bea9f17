"""Menu entries of the notifications app (see portal/navigation.py)."""


def items(request) -> list:
    return []
