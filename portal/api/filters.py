"""FilterSet base: numbers are bounded, related objects are filtered by plain id.

- Databases reject integers beyond 64 bits (SQLite raises, PostgreSQL errors), so
  numbers from query strings are checked against that range: a 400, never a 500.
- Related objects are filtered by id as plain numbers: a choice list would show every
  row's name, and "no such choice" would confirm which ids exist.
"""

import django_filters
from django.db import models
from rest_framework.filters import OrderingFilter

BIGINT_MAX = 2**63 - 1


class BoundedNumberFilter(django_filters.NumberFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -BIGINT_MAX)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


_NUMBER = {"filter_class": BoundedNumberFilter}


class PortalFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: _NUMBER,
        models.OneToOneField: _NUMBER,
        models.IntegerField: _NUMBER,
        models.BigIntegerField: _NUMBER,
        models.PositiveIntegerField: _NUMBER,
        models.PositiveSmallIntegerField: _NUMBER,
        models.SmallIntegerField: _NUMBER,
        models.AutoField: _NUMBER,
        models.BigAutoField: _NUMBER,
    }


class PortalOrderingFilter(OrderingFilter):
    """`?ordering=` only by the fields a view lists in `ordering_fields`: never by
    every serializer field, which could place hidden text (a hidden comment's body)
    among the rows by what it says."""

    def get_default_valid_fields(self, queryset, view, context=None):
        return []
