"""FilterSet base with bounded numbers: an out-of-range id is a 400, never a 500.

Databases reject integers beyond 64 bits (SQLite raises, PostgreSQL errors), so
numbers from query strings are checked against that range before any query runs.
"""

import django_filters
from django import forms
from django.db import models

BIGINT_MAX = 2**63 - 1


class BoundedModelChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number is None or not 0 < number <= BIGINT_MAX:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super().to_python(value)


class BoundedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


class BoundedNumberFilter(django_filters.NumberFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -BIGINT_MAX)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class PortalFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: {
            "filter_class": BoundedModelChoiceFilter,
            "extra": lambda f: {
                "queryset": f.remote_field.model._default_manager.all()
            },
        },
        models.OneToOneField: {
            "filter_class": BoundedModelChoiceFilter,
            "extra": lambda f: {
                "queryset": f.remote_field.model._default_manager.all()
            },
        },
        models.IntegerField: {"filter_class": BoundedNumberFilter},
        models.BigIntegerField: {"filter_class": BoundedNumberFilter},
        models.PositiveIntegerField: {"filter_class": BoundedNumberFilter},
        models.PositiveSmallIntegerField: {"filter_class": BoundedNumberFilter},
        models.SmallIntegerField: {"filter_class": BoundedNumberFilter},
        models.AutoField: {"filter_class": BoundedNumberFilter},
        models.BigAutoField: {"filter_class": BoundedNumberFilter},
    }
