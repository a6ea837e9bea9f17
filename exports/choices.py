from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    DOSSIER = "dossier", _("committee dossier")
    PACKET = "packet", _("round packet")
    GRANT_REPORT = "grant_report", _("grant report")
    STORY = "story", _("learning story")
    COMPLIANCE = "compliance", _("compliance summary")
    COMPLIANCE_ALL = "compliance_all", _("compliance summary of all affiliates")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    ASSEMBLING = "assembling", _("assembling")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class PartStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    WITHHELD = "withheld", _("withheld")
