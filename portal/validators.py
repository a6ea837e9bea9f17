"""Validators for what the portal stores: codes (languages, currencies, countries),
plausible dates, and single-line text free of direction overrides."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.codes import COUNTRY_CODES, CURRENCY_CODES

# BCP 47 shape, lower case, as Django writes language codes: "ar", "zh-hans", "dag".
LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def validate_language_code(value: str) -> None:
    if not isinstance(value, str) or not LANGUAGE_CODE_RE.match(value):
        raise ValidationError(
            _("“%(value)s” is not a language code such as “ar”, “es” or “zh-hans”."),
            code="invalid_language",
            params={"value": value},
        )


def validate_language_list(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Give a list of language codes."), code="invalid")
    for code in value:
        validate_language_code(code)
    if len(set(value)) != len(value):
        raise ValidationError(_("A language is listed twice."), code="duplicate")


def validate_currency_code(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code such as USD, EUR or NGN."),
            code="invalid_currency",
            params={"value": value},
        )


def validate_country_code(value: str) -> None:
    if value and value not in COUNTRY_CODES:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code such as GH, MX or ID."),
            code="invalid_country",
            params={"value": value},
        )


EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def validate_plausible_date(value: datetime.date) -> None:
    """Grant and reporting dates fall between 1990 and 2199; others are typos."""
    if value and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="implausible_date",
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )


# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) change the order
# in which the characters that follow are shown: "‮gpj.exe" reads "exe.jpg". In a
# title or a name they can make two different strings look alike. The weak marks
# (U+200E, U+200F, U+061C) reorder nothing and help writers of Arabic mix numbers and
# Latin words into a line, so they stay allowed; long text keeps everything.
BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def validate_single_line_text(value) -> None:
    """Titles, names, labels, codes: no direction-override characters."""
    if isinstance(value, str) and BIDI_CONTROL_RE.search(value):
        raise ValidationError(
            _(
                "Remove the invisible direction-control characters (U+202A–U+202E, "
                "U+2066–U+2069): they change how the text reads."
            ),
            code="bidi_control",
        )
