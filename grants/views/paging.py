"""Page numbers for lists whose length is already known."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (a count the view has already,
    from a cache or an aggregate), so that it does not ask the database again."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # replaces Paginator.count, a cached_property
