from functools import cached_property

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class CountedPaginator(Paginator):
    """Django's paginator, with the total given by a function when one is given
    (and gives a number rather than None)."""

    def __init__(self, object_list, per_page, counter=None):
        super().__init__(object_list, per_page)
        self.counter = counter

    @cached_property
    def count(self) -> int:
        counted = self.counter() if self.counter else None
        return super().count if counted is None else counted


class PortalPagination(PageNumberPagination):
    """Page numbers with `next`/`previous` links; `?page_size=` up to 200.

    A view may count its list itself with a `count_rows()` method, when the reader
    rules can be counted more cheaply than the filtered queryset (it must give the
    same number, or None for lists it does not count: other actions' pages)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    counter = None

    def paginate_queryset(self, queryset, request, view=None):
        self.counter = getattr(view, "count_rows", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        return CountedPaginator(object_list, per_page, counter=self.counter)
