from django.db import models
from django.utils.translation import gettext_lazy as _


class AffiliateType(models.TextChoices):
    CHAPTER = "chapter", _("Chapter")
    THEMATIC_ORGANIZATION = "thematic_organization", _("Thematic organisation")
    USER_GROUP = "user_group", _("User group")


class AffiliateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DERECOGNISED = "derecognised", _("Derecognised")


class Region(models.TextChoices):
    SUB_SAHARAN_AFRICA = "ssa", _("Sub-Saharan Africa")
    MIDDLE_EAST_NORTH_AFRICA = "mena", _("Middle East and North Africa")
    SOUTH_ASIA = "sa", _("South Asia")
    EAST_SOUTHEAST_ASIA_PACIFIC = "eseap", _("East, Southeast Asia and Pacific")
    CENTRAL_EASTERN_EUROPE = "cee", _("Central and Eastern Europe and Central Asia")
    NORTHERN_WESTERN_EUROPE = "nwe", _("Northern and Western Europe")
    LATIN_AMERICA_CARIBBEAN = "lac", _("Latin America and the Caribbean")
    NORTH_AMERICA = "na", _("United States and Canada")
    GLOBAL = "global", _("Global")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    REMOVED = "removed", _("Removed")


class AffiliateReportKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity report")
    FINANCIAL = "financial", _("Financial report")


class AffiliateReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


class DefermentCause(models.TextChoices):
    DISASTER = "disaster", _("Natural disaster")
    PANDEMIC = "pandemic", _("Pandemic")
    WAR = "war", _("War or armed conflict")
    GOVERNMENT_RESTRICTION = "government_restriction", _("Government restriction")
    OTHER = "other", _("Other exceptional circumstance")


class ComplianceStatus(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    PAST_DUE = "past_due", _("Past due")
    DEFERRED = "deferred", _("Deferred")
    SUSPENDED = "suspended", _("Suspended")


class DefermentRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for staff")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
