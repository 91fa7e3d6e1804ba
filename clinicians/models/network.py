"""The network: NHS regions, the premises people are seen at, and the clinicians."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from practitioner_health.accounts.models import Role
from practitioner_health.notifications.messages import indiscreet_words
from practitioner_health.regions import NHSRegion


class Region(models.Model):
    """One row per NHS England region (created by a data migration, never edited)."""

    code = models.CharField(max_length=30, choices=NHSRegion.choices, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return NHSRegion(self.code).label


class Site(models.Model):
    """Premises within a region, chosen so that being seen there gives nothing away.

    The name and address appear in reminder texts and emails, so they must pass the same
    discretion check as every message.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=120)
    address = models.TextField()
    access_notes = models.TextField(blank=True, help_text="How to get in: entrance, buzzer, parking, step-free access.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="site_region_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region.name})"

    def clean(self) -> None:
        errors = {}
        for field in ("name", "address"):
            found = indiscreet_words(getattr(self, field) or "")
            if found:
                errors[field] = (
                    f"This is shown in appointment texts and emails, so it must not say what the service is for "
                    f"(remove: {', '.join(found)})"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def one_line_address(self) -> str:
        return ", ".join(line.strip() for line in self.address.splitlines() if line.strip())


class Profession(models.TextChoices):
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    PSYCHOTHERAPIST = "psychotherapist", "Psychotherapist"
    CBT_THERAPIST = "cbt-therapist", "CBT therapist"
    ADDICTION_SPECIALIST = "addiction-specialist", "Addiction specialist"
    MENTAL_HEALTH_NURSE = "mental-health-nurse", "Mental health nurse"


class ServiceCode(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    CBT = "cbt", "CBT"
    BRIEF_PSYCHOTHERAPY = "brief-psychotherapy", "Brief psychotherapy"
    ADDICTION = "addiction", "Addiction"
    GROUP = "group", "Group"


class Service(models.Model):
    """A kind of help a clinician offers; one row per ServiceCode (seeded by migration).

    A table rather than a list on the clinician so matching can filter and join on it.
    """

    code = models.CharField(max_length=30, choices=ServiceCode.choices, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return ServiceCode(self.code).label


class ClinicianQuerySet(models.QuerySet["Clinician"]):
    def active(self) -> ClinicianQuerySet:
        return self.filter(active=True)

    def offering(self, code: str) -> ClinicianQuerySet:
        return self.filter(services__code=code)

    def in_region(self, code: str) -> ClinicianQuerySet:
        return self.filter(regions__code=code)


class Clinician(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clinician_profile",
        limit_choices_to={"role": Role.CLINICIAN},
    )
    profession = models.CharField(max_length=30, choices=Profession.choices)
    services = models.ManyToManyField(Service, related_name="clinicians", blank=True)
    regions = models.ManyToManyField(Region, related_name="clinicians", blank=True)
    sites = models.ManyToManyField(Site, related_name="clinicians", blank=True)
    video = models.BooleanField("Sees people by video", default=True)
    max_caseload = models.PositiveSmallIntegerField("Maximum caseload", default=25)
    active = models.BooleanField(default=True)
    # Where they work outside this service (one per line), so matching never offers them to
    # a practitioner from the same organisation.
    workplaces = models.TextField(blank=True, help_text="Trusts, practices or other employers, one per line.")

    objects = ClinicianQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(name="clinician_caseload_positive", condition=models.Q(max_caseload__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_profession_display()})"

    def clean(self) -> None:
        if self.user_id and self.user.role != Role.CLINICIAN:
            raise ValidationError({"user": "Only an account with the clinician role can have a clinician profile"})

    @property
    def display_name(self) -> str:
        return self.user.full_name or f"Clinician #{self.pk}"
