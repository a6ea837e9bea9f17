"""A paginator that is told how many rows there are."""

from functools import cached_property

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """Django's paginator, told the number of rows: a number the caller has already
    (from a cache or an aggregate), or a function that counts them more cheaply than
    the queryset would. None (or a function giving None): count as usual."""

    def __init__(self, object_list, per_page, count=None):
        super().__init__(object_list, per_page)
        self.given_count = count

    @cached_property
    def count(self) -> int:
        given = self.given_count
        if callable(given):
            given = given()
        return super().count if given is None else given
