"""Shapes of API requests and responses. Validation rules live in the domain forms and services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from clinicians.formatting import place_text
from clinicians.models import Appointment, AppointmentKind, AppointmentStatus, Slot
from referrals.models import ClosedReason, Eligibility, PreferredContact, Status
from selfhelp.models import Article, ArticleCategory, SavedResult, SignpostingCategory, SignpostingEntry
from selfhelp.questionnaires import MEASURES
from selfhelp.rendering import render_markdown
from triage.forms import WINDOWS

# --- errors ---------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, slot_taken, rate_limited.")
    message = serializers.CharField(help_text="Fit to show to the person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors, field by field (dotted names for nested answers).",
    )


# --- auth -----------------------------------------------------------------------------------


class SignInSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=320)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class ChallengeSerializer(serializers.Serializer):
    challenge = serializers.CharField(help_text="Send with the code to /auth/verify. Short-lived, one use.")
    method = serializers.ChoiceField(choices=["email", "totp"])
    expires_at = serializers.DateTimeField()


class VerifySerializer(serializers.Serializer):
    challenge = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=16)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once. Send as Authorization: Bearer <token>.")
    token_type = serializers.CharField()
    expires_at = serializers.DateTimeField()


# --- self-help ------------------------------------------------------------------------------


class ArticleSummarySerializer(serializers.ModelSerializer):
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())
    category = serializers.ChoiceField(choices=ArticleCategory.choices)

    class Meta:
        model = Article
        fields = ["slug", "title", "summary", "category", "tags", "last_reviewed", "next_review_due"]


class ArticleSerializer(ArticleSummarySerializer):
    body_html = serializers.SerializerMethodField(help_text="The body as sanitised HTML.")

    class Meta(ArticleSummarySerializer.Meta):
        fields = [*ArticleSummarySerializer.Meta.fields, "author", "body", "body_html"]

    def get_body_html(self, article: Article) -> str:
        return str(render_markdown(article.body))


class ArticleQuerySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ArticleCategory.choices, required=False)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=500, help_text="What to look for; only the first 100 characters count.")


class SignpostingEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = SignpostingEntry
        fields = ["name", "category", "nation", "description", "phone", "website", "hours"]


class DirectoryCategorySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=SignpostingCategory.choices)
    label = serializers.CharField()
    entries = SignpostingEntrySerializer(many=True)


class OptionSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    options = OptionSerializer(many=True)


class BandSerializer(serializers.Serializer):
    lowest = serializers.IntegerField()
    highest = serializers.IntegerField()
    name = serializers.CharField()


class QuestionnaireSerializer(serializers.Serializer):
    code = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    stem = serializers.CharField()
    source = serializers.CharField()
    items = ItemSerializer(many=True)
    bands = BandSerializer(many=True)


class AnswersSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=4),
        max_length=40,
        help_text="One answer value per item, in item order. All items must be answered.",
    )


class GuidanceSerializer(serializers.Serializer):
    title = serializers.CharField()
    meaning = serializers.CharField()
    next_steps = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    total = serializers.IntegerField()
    band = serializers.CharField()
    urgent = serializers.BooleanField(help_text="True when an answer needs immediate safety information.")
    guidance = GuidanceSerializer()
    urgent_guidance = GuidanceSerializer(allow_null=True)


class CrisisContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    detail = serializers.CharField(help_text="The whole line in words, number included.")
    number = serializers.CharField(help_text="The number as written, e.g. 116 123.")
    href = serializers.CharField(help_text="The link that calls (tel:) or texts (sms:) it.")


class CrisisSerializer(serializers.Serializer):
    helpline = serializers.CharField()
    helpline_href = serializers.CharField(help_text="A tel: link to the helpline.")
    contacts = CrisisContactSerializer(many=True)


# --- the practitioner's own record ----------------------------------------------------------


class ReferralStatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    eligibility = serializers.ChoiceField(
        choices=Eligibility.choices, allow_blank=True, help_text="Blank until it has been decided."
    )
    urgent = serializers.BooleanField()
    submitted_at = serializers.DateTimeField()
    title = serializers.CharField(help_text="The status in plain words.")
    text = serializers.CharField(help_text="What happens next.")
    closed_reason = serializers.ChoiceField(
        choices=ClosedReason.choices, allow_blank=True, help_text="Why it closed before care; blank otherwise."
    )
    can_stop = serializers.BooleanField(
        help_text="The practitioner may stop it (POST me/referral/stop): open and not yet with a clinician."
    )


class ContactPreferencesSerializer(serializers.Serializer):
    preferred_contact = serializers.ChoiceField(choices=PreferredContact.choices)
    voicemail_ok = serializers.BooleanField()
    texts_ok = serializers.BooleanField()
    best_times = serializers.CharField(allow_blank=True, max_length=4000)


class PeopleKnownSerializer(serializers.Serializer):
    people_known = serializers.CharField(allow_blank=True, max_length=4000, trim_whitespace=False)


class SavedResultSerializer(serializers.ModelSerializer):
    answers = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = SavedResult
        fields = ["id", "measure", "total", "band", "urgent", "answers", "created_at"]


class SaveResultSerializer(AnswersSerializer):
    measure = serializers.ChoiceField(choices=sorted(MEASURES))


class AccessRowSerializer(serializers.Serializer):
    who = serializers.CharField()
    what = serializers.CharField()
    at = serializers.DateTimeField()


# --- appointments ---------------------------------------------------------------------------


class SlotSerializer(serializers.ModelSerializer):
    video = serializers.BooleanField(source="is_video")
    place = serializers.SerializerMethodField()

    class Meta:
        model = Slot
        fields = ["id", "start", "end", "video", "place"]

    def get_place(self, slot: Slot) -> str:
        return place_text(slot.site)


class AppointmentSerializer(serializers.ModelSerializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    video = serializers.BooleanField(source="is_video")
    place = serializers.SerializerMethodField()
    clinician = serializers.SerializerMethodField()
    changeable = serializers.SerializerMethodField(help_text="Can still be moved or cancelled in the app.")
    video_link = serializers.SerializerMethodField(help_text="Only while the video room is open.")

    class Meta:
        model = Appointment
        fields = ["id", "start", "end", "kind", "status", "video", "place", "clinician", "changeable", "video_link"]

    def get_place(self, appointment: Appointment) -> str:
        return place_text(appointment.slot.site)

    def get_clinician(self, appointment: Appointment) -> str:
        return appointment.episode.clinician.user.display_name

    def get_changeable(self, appointment: Appointment) -> bool:
        return appointment.changeable_by_practitioner()

    def get_video_link(self, appointment: Appointment) -> str | None:
        return appointment.video_url if appointment.video_link_open() else None


class SlotChoiceSerializer(serializers.Serializer):
    slot_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class CallbackRequestSerializer(serializers.Serializer):
    day = serializers.CharField(max_length=20, help_text="YYYY-MM-DD (or DD/MM/YYYY).")
    window = serializers.ChoiceField(choices=sorted(WINDOWS))


class CallbackSerializer(serializers.Serializer):
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()


# --- self-referral --------------------------------------------------------------------------


class ReferralSubmissionSerializer(serializers.Serializer):
    submission_id = serializers.CharField(
        min_length=16,
        max_length=100,
        help_text="A random id the app makes once per referral: sending it again gives the same answer.",
    )
    answers = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField()),
        help_text="Answers page by page, keyed by page slug, with the website form's field names.",
    )


class ReferralResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    urgent = serializers.BooleanField()
    ineligible = serializers.BooleanField()
    reason_codes = serializers.ListField(child=serializers.CharField())
    signposting = SignpostingEntrySerializer(many=True)
    crisis = CrisisContactSerializer(many=True, help_text="Urgent-help contacts, when `urgent` is true.")


def as_data(serializer_class: type[serializers.Serializer], instance: Any, **kwargs: Any) -> Any:
    return serializer_class(instance, **kwargs).data
