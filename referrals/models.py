"""Referrals: who asked for help, how to reach them safely, and whether they are eligible.

Personal data (names, dates of birth, contact details, registration numbers, free text)
is in encrypted fields. Registration numbers are found through `registration_index`, a
keyed HMAC, never by the plaintext.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedEmailField,
    EncryptedTextField,
)

from practitioner_health.regions import NHSRegion


class Channel(models.TextChoices):
    WEB = "web", "Website"
    PHONE = "phone", "Phone (logged by a handler)"
    APP = "app", "App"


class Profession(models.TextChoices):
    DOCTOR = "doctor", "Doctor"
    DENTIST = "dentist", "Dentist"


class Register(models.TextChoices):
    GMC = "GMC", "General Medical Council"
    GDC = "GDC", "General Dental Council"


class WorkLocation(models.TextChoices):
    ENGLAND = "england", "In England"
    RETURNING = "returning", "Returning to practice in England"
    SCOTLAND = "scotland", "In Scotland"
    WALES = "wales", "In Wales"
    NORTHERN_IRELAND = "northern-ireland", "In Northern Ireland"
    OUTSIDE_UK = "outside-uk", "Outside the UK"


class CareerStage(models.TextChoices):
    GP = "gp", "GP"
    GP_TRAINEE = "gp-trainee", "GP trainee"
    CONSULTANT = "consultant", "Consultant"
    SAS = "sas", "SAS doctor"
    FOUNDATION = "foundation", "Foundation doctor"
    SPECIALTY_TRAINEE = "specialty-trainee", "Specialty trainee"
    LOCALLY_EMPLOYED = "locally-employed", "Locally employed doctor"
    GENERAL_DENTAL = "general-dental", "General dental practitioner"
    DENTAL_SPECIALIST = "dental-specialist", "Dental specialist or consultant"
    DENTAL_TRAINEE = "dental-trainee", "Dental foundation or specialty trainee"
    OTHER = "other", "Other"


class SeenWhere(models.TextChoices):
    REGION = "region", "In a region I choose"
    AWAY = "away", "Anywhere away from where I work"
    VIDEO = "video", "By video only"


class Need(models.TextChoices):
    STRESS = "stress", "Stress or burnout"
    LOW_MOOD = "low-mood", "Low mood"
    ANXIETY = "anxiety", "Anxiety"
    ALCOHOL = "alcohol", "Alcohol"
    DRUGS = "drugs", "Drugs"
    GAMBLING = "gambling", "Gambling"
    EATING = "eating", "Eating"
    TRAUMA = "trauma", "Trauma"
    RELATIONSHIPS = "relationships", "Relationships"
    OTHER = "other", "Something else"


class HeardAbout(models.TextChoices):
    COLLEAGUE = "colleague", "A colleague"
    GP = "gp", "My GP"
    EMPLOYER = "employer", "My employer or occupational health"
    DEANERY = "deanery", "My training programme or deanery"
    REGULATOR = "regulator", "The GMC or GDC"
    BMA_BDA = "bma-bda", "The BMA or BDA"
    SEARCH = "search", "An internet search"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Somewhere else"


class PreferredContact(models.TextChoices):
    PHONE = "phone", "A phone call"
    EMAIL = "email", "An email"
    TEXT = "text", "A text message"


class Status(models.TextChoices):
    NEW = "new", "Waiting for first contact"
    CONTACTED = "contacted", "Contacted by the helpline"
    TRIAGED = "triaged", "Assessed, waiting for a clinician"
    ASSIGNED = "assigned", "With a clinician"
    DISCHARGED = "discharged", "Care finished"
    CLOSED = "closed", "Closed"


class Eligibility(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Not eligible"
    NEEDS_REVIEW = "needs_review", "Needs review by a handler"


# A referral in one of these states is finished; any other state counts as open.
FINISHED_STATUSES = (Status.DISCHARGED, Status.CLOSED)
# Open and not yet with a clinician: the helpline or the practitioner may close it. Once a
# clinician has it, ending care is the clinician's discharge.
CLOSABLE_STATUSES = (Status.NEW, Status.CONTACTED, Status.TRIAGED)


class ClosedReason(models.TextChoices):
    """Why a referral closed before care. No free text: the calls and notes say the rest."""

    INELIGIBLE = "ineligible", "Not eligible"
    WITHDRAWN = "withdrawn", "Stopped by the practitioner"
    DECLINED = "declined", "Declined the service when the helpline spoke to them"
    NOT_REACHED = "not_reached", "The helpline could not reach them"


class ReopenReason(models.TextChoices):
    """Why a closed referral was opened again. No free text: it is shown in the audit trail,
    which the practitioner reads too."""

    BACK_IN_TOUCH = "back_in_touch", "They got back in touch"
    CLOSED_IN_ERROR = "closed_in_error", "Closed by mistake"
    ELIGIBILITY_RECONSIDERED = "eligibility", "Eligibility to be looked at again"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.exclude(status__in=FINISHED_STATUSES)

    def urgent(self) -> ReferralQuerySet:
        return self.filter(urgent=True)

    def with_registration(self, index: str) -> ReferralQuerySet:
        return self.filter(registration_index=index)


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True, editable=False)
    # Keyed hash of the form's one-time submission token: a double POST finds this row
    # instead of creating a second referral. Null for referrals not made through a form.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    # When `user` was proved to be the person who sent it: they followed the link sent to the
    # typed email, or sent it signed in. Null for links made before that rule (a typed email
    # was enough then), so nothing of the account (saved results) is shown to staff for them.
    linked_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    urgent = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=12, choices=ClosedReason.choices, blank=True)

    # About their work (not identifying on its own; used in aggregates).
    profession = models.CharField(max_length=10, choices=Profession.choices)
    register = models.CharField(max_length=3, choices=Register.choices)
    registration_number = EncryptedCharField(max_length=7)
    registration_index = models.CharField(max_length=64, editable=False)
    work_location = models.CharField(max_length=20, choices=WorkLocation.choices)
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices)
    career_stage_other = EncryptedCharField(max_length=200, blank=True)
    work_region = models.CharField(max_length=30, choices=NHSRegion.choices, blank=True)
    employer = EncryptedCharField(max_length=200, blank=True)
    seen_where = models.CharField(max_length=10, choices=SeenWhere.choices)
    seen_region = models.CharField(max_length=30, choices=NHSRegion.choices, blank=True)
    needs_other = EncryptedTextField(blank=True)
    self_harm_thoughts = models.BooleanField(default=False)
    heard_about = models.CharField(max_length=20, choices=HeardAbout.choices, blank=True)

    # Who they are and how to reach them: all encrypted.
    name = EncryptedCharField(max_length=200)
    # What they would like to be called (may be a pseudonym); messages use it if given.
    preferred_name = EncryptedCharField(max_length=200, blank=True)
    date_of_birth = EncryptedDateField()
    email = EncryptedEmailField()
    mobile = EncryptedCharField(max_length=20)
    mobile_index = models.CharField(max_length=64, blank=True, editable=False)
    voicemail_ok = models.BooleanField(default=False)
    texts_ok = models.BooleanField(default=False)
    best_times = EncryptedTextField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.PHONE
    )
    people_known = EncryptedTextField(blank=True)

    # The latest eligibility decision, kept here for queues; history in EligibilityDecision.
    eligibility = models.CharField(max_length=12, choices=Eligibility.choices, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # Duplicate detection and handler search by registration number.
            models.Index(fields=["registration_index"], name="referral_registration_idx"),
            # Inbound calls matched to a practitioner by their number.
            models.Index(fields=["mobile_index"], name="referral_mobile_idx"),
            # Handler queues: open referrals by status, urgent first, oldest first.
            models.Index(fields=["status", "-urgent", "submitted_at"], name="referral_queue_idx"),
            # The eligibility review queue, which is not one status: a handful of open referrals
            # among every referral ever made, found without reading the table.
            models.Index(
                fields=["-urgent", "submitted_at"],
                condition=models.Q(eligibility=Eligibility.NEEDS_REVIEW) & ~models.Q(status__in=FINISHED_STATUSES),
                name="referral_review_idx",
            ),
            # Reporting refreshes by month: referrals made, and referrals closed before care.
            models.Index(fields=["submitted_at"], name="referral_submitted_idx"),
            models.Index(fields=["closed_at"], condition=models.Q(status=Status.CLOSED), name="referral_closed_idx"),
            # "Your pages": a practitioner's referrals, newest first.
            models.Index(fields=["user", "-submitted_at"], name="referral_user_idx"),
        ]
        constraints = [
            # One open referral per registration number, even under concurrent submissions;
            # a second request while one is open becomes a DuplicateSubmission instead.
            models.UniqueConstraint(
                fields=["registration_index"],
                condition=~models.Q(status__in=FINISHED_STATUSES),
                name="referral_one_open_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED_STATUSES

    @property
    def closable(self) -> bool:
        """Open and not yet with a clinician: it may be closed (or stopped) before care."""
        return self.status in CLOSABLE_STATUSES

    @property
    def safety_call_on_stop(self) -> bool:
        """They told us of thoughts of harming themselves (or a repeat request did): if they stop
        the referral, the helpline tries once to call them to check they are safe."""
        return self.self_harm_thoughts or self.urgent

    @property
    def address_as(self) -> str:
        """The name to use when writing to them: their preferred name if they gave one."""
        return self.preferred_name or self.name


class DuplicateSubmission(models.Model):
    """A referral request received while the same registration number already had an open referral.

    The person submitting saw an ordinary confirmation with this row's reference (so the
    form reveals nothing about who is already referred); the open referral's own contact
    details were told. The contact details given here are kept, encrypted, for a handler
    to reconcile after checking identity: they may be the doctor's new details, or a
    stranger's.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="duplicate_submissions")
    # The account that proved control of the typed email by following this request's link:
    # its pages show this request (never the open referral it repeats).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="repeat_requests"
    )
    reference = models.CharField(max_length=12, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    submitted_at = models.DateTimeField(default=timezone.now)
    self_harm_thoughts = models.BooleanField(default=False)
    name = EncryptedCharField(max_length=200)
    preferred_name = EncryptedCharField(max_length=200, blank=True)
    email = EncryptedEmailField()
    mobile = EncryptedCharField(max_length=20)
    # How they asked to be contacted: kept for the handler who reconciles, and shown back to
    # whoever follows the request's link, as for any request.
    voicemail_ok = models.BooleanField(default=False)
    texts_ok = models.BooleanField(default=False)
    best_times = EncryptedTextField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.PHONE
    )
    people_known = EncryptedTextField(blank=True)
    # Set if whoever followed the link stopped this request (the open referral is untouched).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=12, choices=ClosedReason.choices, blank=True)
    # What the person was shown, so a replayed submission shows it again.
    eligibility = models.CharField(max_length=12, choices=Eligibility.choices, blank=True)
    reason_codes = models.JSONField(default=list, blank=True)
    signposts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.reference} (repeat of referral #{self.referral_id})"

    # What the pages of whoever followed this request's link show: a request waiting for the
    # helpline, like any new referral, never the open referral it repeats.
    @property
    def status(self) -> str:
        return Status.CLOSED if self.closed_at is not None else Status.NEW

    @property
    def urgent(self) -> bool:
        return self.self_harm_thoughts

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def closable(self) -> bool:
        return self.closed_at is None

    @property
    def safety_call_on_stop(self) -> bool:
        """Stopping a repeat request places no call, so none is promised: the open referral it
        repeats stays in the helpline's queues (made urgent if this request said yes to thoughts
        of self-harm), and its own owner is the one the helpline rings."""
        return False

    @property
    def address_as(self) -> str:
        return self.preferred_name or self.name


class RequestLink(models.Model):
    """The link sent to the email typed in a self-referral, to see that request online.

    One per submission, a new referral or a repeat request alike, so the two cannot be told
    apart. Following it proves control of that mailbox, and only then is the request joined
    to an account: a typed email never links to anyone's account by itself. The token is
    random, says nothing of what it leads to, and is kept only as a keyed hash; it works
    once, until `expires_at`.
    """

    token_index = models.CharField(max_length=64, unique=True, editable=False)
    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="request_link"
    )
    duplicate = models.OneToOneField(
        DuplicateSubmission, null=True, blank=True, on_delete=models.CASCADE, related_name="request_link"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(referral__isnull=False) & models.Q(duplicate__isnull=True))
                | (models.Q(referral__isnull=True) & models.Q(duplicate__isnull=False)),
                name="request_link_one_request",
            ),
        ]

    def __str__(self) -> str:
        return f"request link #{self.pk}"

    @property
    def request(self) -> Referral | DuplicateSubmission:
        return self.referral if self.referral_id is not None else self.duplicate  # type: ignore[return-value]


class ReferralNeed(models.Model):
    """What they want help with: one row per need, so reporting can count by need."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=20, choices=Need.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "need"], name="referral_need_unique"),
        ]

    def __str__(self) -> str:
        return self.need


class EligibilityDecision(models.Model):
    """Each eligibility decision with its reasons and the register data it relied on."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="eligibility_decisions")
    decision = models.CharField(max_length=12, choices=Eligibility.choices)
    reasons = models.JSONField(default=list)
    # What the register extract said at the time (status, name match): encrypted JSON.
    register_snapshot = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} for referral #{self.referral_id}"


class RegisterStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    REGISTERED_WITH_CONDITIONS = "conditions", "Registered with conditions, warnings or undertakings"
    SUSPENDED = "suspended", "Suspended"
    NOT_LICENSED = "not_licensed", "Registered without a licence"
    PROVISIONAL = "provisional", "Provisionally registered"
    ERASED = "erased", "Erased or not registered"


class RegisterEntry(models.Model):
    """One row of a GMC (LRMP) or GDC register extract, imported by `import_register`."""

    register = models.CharField(max_length=3, choices=Register.choices)
    number_index = models.CharField(max_length=64)
    number = EncryptedCharField(max_length=7)
    surname = EncryptedCharField(max_length=200)
    given_names = EncryptedCharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=RegisterStatus.choices)
    status_text = models.CharField(max_length=200, blank=True)
    # Hash of the source row, so a re-import can say "unchanged" without decrypting.
    row_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "number_index"], name="register_entry_unique"),
        ]
        verbose_name_plural = "register entries"

    def __str__(self) -> str:
        return f"{self.register} entry #{self.pk}"
