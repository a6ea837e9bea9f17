"""Model fields shared by the apps."""

from django.core.validators import MaxLengthValidator
from django.db import models


class LimitedTextField(models.TextField):
    """A TextField whose max_length is a rule, not a hint.

    Django's TextField passes max_length to forms and serializers (and so to the
    OpenAPI schema) but `full_clean()` ignores it; services validate with
    `full_clean()`, so the limit is checked here as CharField checks its own.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))
