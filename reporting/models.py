"""Monthly facts for the commissioner dashboard: counts only, never a person.

Every fact row is one cell of a small cube: a month (its first day) by region, profession
and career stage, where each of the three may also be ``ALL`` (the roll-up over that
dimension). So whatever filters a commissioner picks, each figure is read from a handful of
rows per month, however many referrals the service has had. Rows are written only by
`reporting.services.facts_refresh`, which replaces one month's rows at a time.

Rows hold counts (and, for waits, a histogram of days), never ids, references or anything
else that could point to a person.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# The roll-up value of a dimension: "every region" (or profession, or career stage).
ALL = "all"
# An empty region, profession or career stage means not known: a referral with no region
# (returners), or a callback to someone who has not referred.
NOT_KNOWN = ""


class WaitKind(models.TextChoices):
    FIRST_CONTACT = "first-contact", "Referral to first contact"
    FIRST_APPOINTMENT = "first-appointment", "Referral to first appointment"
    FIRST_TREATMENT = "first-treatment", "Referral to first treatment"


class Fact(models.Model):
    """The cube's dimensions, shared by every fact table."""

    month = models.DateField(help_text="First day of the month the counts are for.")
    region = models.CharField(max_length=30, blank=True)
    profession = models.CharField(max_length=10, blank=True)
    career_stage = models.CharField(max_length=20, blank=True)

    DIMENSIONS = ("month", "region", "profession", "career_stage")

    class Meta:
        abstract = True


def _cube_constraint(name: str, *extra: str) -> models.UniqueConstraint:
    # One row per cell. Its index, led by month, also serves every dashboard query: they all
    # read a range of months and then pick cells by region, profession and career stage.
    return models.UniqueConstraint(fields=[*Fact.DIMENSIONS, *extra], name=name)


class ReferralFact(Fact):
    """Referrals received in the month (by submission date), by channel, with eligibility."""

    channel = models.CharField(max_length=10)
    referrals = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    ineligible = models.PositiveIntegerField(default=0)
    needs_review = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("referral_fact_cell_unique", "channel")]

    def __str__(self) -> str:
        return f"Referral facts {self.month:%Y-%m}"


class NeedFact(Fact):
    """Needs named in the referrals received in the month (a referral may name several)."""

    need = models.CharField(max_length=20)
    referrals = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("need_fact_cell_unique", "need")]

    def __str__(self) -> str:
        return f"Need facts {self.month:%Y-%m}"


class WaitFact(Fact):
    """Waits that ended in the month (first contact, first appointment or first treatment).

    `days` is a histogram ``{"<days waited>": <count>}``, so the median over any set of
    months and cells is exact: merge the histograms, never the medians.
    """

    kind = models.CharField(max_length=20, choices=WaitKind.choices)
    waits = models.PositiveIntegerField(default=0)
    within_6_weeks = models.PositiveIntegerField(default=0)
    within_18_weeks = models.PositiveIntegerField(default=0)
    days = models.JSONField(default=dict)

    class Meta:
        constraints = [_cube_constraint("wait_fact_cell_unique", "kind")]

    def __str__(self) -> str:
        return f"Wait facts {self.month:%Y-%m} ({self.kind})"


class OutcomeFact(Fact):
    """Care episodes that ended (were discharged) in the month, classified by outcome.

    finished: at least 2 attended treatment appointments. paired: finished with at least two
    PHQ-9 and two GAD-7 scores, so there is a first and a last of each. The other counts are
    of paired courses (NHS Talking Therapies definitions, reporting.metrics.classify).
    """

    finished = models.PositiveIntegerField(default=0)
    paired = models.PositiveIntegerField(default=0)
    caseness_at_start = models.PositiveIntegerField(default=0)
    recovered = models.PositiveIntegerField(default=0)
    reliable_improvement = models.PositiveIntegerField(default=0)
    reliable_deterioration = models.PositiveIntegerField(default=0)
    reliable_recovery = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("outcome_fact_cell_unique")]

    def __str__(self) -> str:
        return f"Outcome facts {self.month:%Y-%m}"


class DischargeFact(Fact):
    """Care episodes that ended in the month, by discharge reason."""

    reason = models.CharField(max_length=20)
    discharges = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("discharge_fact_cell_unique", "reason")]

    def __str__(self) -> str:
        return f"Discharge facts {self.month:%Y-%m}"


class ClosureFact(Fact):
    """Referrals closed before care in the month (by closing date), by reason."""

    reason = models.CharField(max_length=12)
    closures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("closure_fact_cell_unique", "reason")]

    def __str__(self) -> str:
        return f"Closure facts {self.month:%Y-%m}"


class ActivityFact(Fact):
    """Appointments held in the month (attended or not) and callbacks first tried in it."""

    attended = models.PositiveIntegerField(default=0)
    did_not_attend = models.PositiveIntegerField(default=0)
    callbacks_made = models.PositiveIntegerField(default=0)
    callbacks_answered = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("activity_fact_cell_unique")]

    def __str__(self) -> str:
        return f"Activity facts {self.month:%Y-%m}"


class CaseloadFact(Fact):
    """Care episodes active at the end of the month (for the current month: at the refresh)."""

    active = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("caseload_fact_cell_unique")]

    def __str__(self) -> str:
        return f"Caseload facts {self.month:%Y-%m}"


class FeedbackFact(Fact):
    """Friends and Family Test answers given in the month, by rating. The answers record no
    career stage (clinicians.models.feedback), so every row's career stage is ALL."""

    rating = models.CharField(max_length=10)
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_cube_constraint("feedback_fact_cell_unique", "rating")]

    def __str__(self) -> str:
        return f"Feedback facts {self.month:%Y-%m}"


class FactsRefresh(models.Model):
    """When each month's facts were last rebuilt. Its row is locked while a refresh runs,
    so two refreshes of the same month (the beat job and an admin's button) take turns."""

    month = models.DateField(unique=True)
    refreshed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0.0)
    # Bumped by every refresh, so a change of the month's facts is seen even when two refreshes
    # carry the same time (a clock stepped back, or a test's frozen clock): the dashboard's
    # cache is keyed on it.
    refreshes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Facts for {self.month:%Y-%m} refreshed {self.refreshed_at:%Y-%m-%d %H:%M}"


FACT_MODELS: tuple[type[Fact], ...] = (
    ReferralFact,
    NeedFact,
    WaitFact,
    OutcomeFact,
    DischargeFact,
    ClosureFact,
    ActivityFact,
    CaseloadFact,
    FeedbackFact,
)
