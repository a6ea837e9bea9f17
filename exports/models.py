"""The record of every export, the parts of a round packet, and the dossier cache.

`Export` is the audit record (who exported what, when) and, for round packets, the
background job with its progress. It is written by the export services only; nobody
edits it. `ExportDownload` records each download of a stored file.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ExportKind, ExportStatus, PartStatus
from .storage import private_storage


class Export(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    # The exported object: a proposal, round, grant report, story page or affiliate
    # (none for the compliance summary of all affiliates).
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    label = models.CharField(_("what"), max_length=300)
    language = models.CharField(_("language"), max_length=16)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="exports",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Packets: the proposals left out, and why (the ones inside are its parts).
    withheld = models.JSONField(_("withheld proposals"), default=list, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="exports/", blank=True
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    # Packets: the last sign of progress (planned, a dossier taken up, the assembly
    # claimed) and how many times the maintenance sweep took the job up again after
    # its worker went silent (exports/maintenance.py).
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    recoveries = models.PositiveSmallIntegerField(_("recoveries"), default=0)
    # The stored file was deleted after the retention period; the record stays.
    expired_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"


class ExportPart(models.Model):
    """One dossier of a round packet, rendered by its own task."""

    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="parts")
    proposal = models.ForeignKey(
        "grants.Proposal", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=PartStatus.choices, default=PartStatus.PENDING
    )
    rendered = models.ForeignKey(
        "RenderedPart", on_delete=models.PROTECT, null=True, blank=True
    )
    # Set when a worker takes the dossier up; a claim older than the stall timeout
    # belongs to a worker that went away. `attempts` counts the claims, so a dossier
    # that kills its worker every time fails the job instead of looping.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the dossier is made of, by version (`dossier_input_keys`), set when the
    # packet is planned: a later part with the same key reuses `rendered` without
    # building the dossier's content again.
    inputs_key = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["export", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["export", "position"], name="export_part_position_unique"
            )
        ]

    def __str__(self):
        return f"{self.export_id}#{self.position}"


class RenderedPart(models.Model):
    """A rendered dossier, keyed by a hash of everything it shows.

    Two packets whose dossier for a proposal would say exactly the same thing share
    one file; any change to the proposal, its reviews, declarations, comments or
    decision, to the reader's view of it, or to the template changes the key.
    """

    key = models.CharField(max_length=64, unique=True)
    file = models.FileField(storage=private_storage, upload_to="parts/")
    pages = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Last put in a packet: the retention deletes parts unused for a while.
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.key


class ExportDownload(models.Model):
    export = models.ForeignKey(
        Export, on_delete=models.CASCADE, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.export_id} {self.at:%Y-%m-%d %H:%M}"
