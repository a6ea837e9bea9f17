from rest_framework.pagination import PageNumberPagination

from portal.paging import CountedPaginator


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
        return CountedPaginator(object_list, per_page, count=self.counter)
