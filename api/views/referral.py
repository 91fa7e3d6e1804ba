"""Self-referral from the app: the website's questions, validation, eligibility, duplicate
handling and rate limit, in one request.

`answers` holds each page's answers under the page's slug, with the website form's field
names, e.g. {"self": {"is_self": "yes"}, "profession": {"profession": "doctor"}, ...}.
Pages are checked in order with the website's forms (later pages depend on earlier
answers), so errors are reported for the first page that is wrong, field by field as
"<page>.<field>". `submission_id` plays the part of the website's one-time form token:
sending the same one again gives the same answer and never a second referral.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from practitioner_health.accounts.models import Role
from practitioner_health.crisis import CRISIS_CONTACTS
from referrals.flow import STEPS, Flow, walk
from referrals.models import Channel, WorkLocation
from referrals.ratelimit import submit_limit_exceeded
from referrals.selectors import signposts_resolve
from referrals.services import referral_submit, submission_key_for

from ..errors import ApiError, ValidationFailed
from ..serializers import ReferralResultSerializer, ReferralSubmissionSerializer, SignpostingEntrySerializer
from ..throttling import ClientThrottle, ReferralThrottle
from .base import PublicView, errors, form_errors, valid

APP = Flow("app", "app_referral", Channel.APP, "")

# Why the questions ended before a referral could be made, as the website's end pages say it.
NOT_ACCEPTED: dict[str, tuple[str, str]] = {
    "not_self": (
        "third_party",
        "We can only accept a referral from the doctor or dentist who wants help. You can tell them about "
        "the service and they can refer themselves.",
    ),
    "students": (
        "student",
        "Our service is for qualified doctors and dentists. Medical and dental students can get support "
        "from the organisations listed.",
    ),
    "devolved": (
        "devolved_nation",
        "Our service is for doctors and dentists working in England. The organisations listed support "
        "doctors and dentists in your nation.",
    ),
    "outside_uk": (
        "outside_uk",
        "Our service is for doctors and dentists working in England, or returning to practice in England.",
    ),
}
DEVOLVED = (WorkLocation.SCOTLAND.value, WorkLocation.WALES.value, WorkLocation.NORTHERN_IRELAND.value)


def _signposts_for(terminal: str, facts: dict[str, Any]) -> list[Any]:
    if terminal == "students":
        return signposts_resolve([("financial-and-personal", "")])
    if terminal == "devolved":
        nation = str(facts.get("work_location", ""))
        return signposts_resolve([("devolved-nations", nation)] if nation in DEVOLVED else [])
    if terminal == "outside_uk":
        return signposts_resolve([("return-to-practice", "")])
    return []


def check_answers(answers: dict[str, dict[str, Any]]) -> None:
    """Raise a 422 for the first missing or invalid page, or for answers that end the journey."""
    facts: dict[str, Any] = {}
    for step in STEPS:
        data = answers.get(step.slug)
        if data is None:
            raise ValidationFailed({step.slug: ["Answer this question."]})
        form = step.form_class(data=data, prior=dict(facts), phone=False)
        if not form.is_valid():
            raise ValidationFailed(form_errors(form, prefix=f"{step.slug}."))
        facts.update(form.facts())
        terminal = form.branch()
        if terminal is not None:
            code, message = NOT_ACCEPTED[terminal]
            entries = SignpostingEntrySerializer(_signposts_for(terminal, facts), many=True).data
            raise ApiError(status.HTTP_422_UNPROCESSABLE_ENTITY, code, message, signposting=entries)


class ReferralSubmitView(PublicView):
    throttle_classes = [ClientThrottle, ReferralThrottle]

    @extend_schema(
        operation_id="referrals_submit",
        request=ReferralSubmissionSerializer,
        responses={201: ReferralResultSerializer, **errors(400, 422)},
        auth=[],
        summary="Refer myself. The same answer whether or not a referral already exists.",
    )
    def post(self, request: Request) -> Response:
        data = valid(ReferralSubmissionSerializer, request.data)
        if submit_limit_exceeded(request._request):
            raise ApiError(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many referrals have been sent from this connection. Call our helpline instead.",
            )
        answers = data["answers"]
        check_answers(answers)
        state = walk(answers, APP)
        user = request.user
        result = referral_submit(
            answers=state.referral_answers(),
            channel=Channel.APP,
            submission_key=submission_key_for(data["submission_id"]),
            # Signed in to the app: their own referral, theirs at once. Otherwise the emailed
            # link joins it to an account once it has been followed.
            submitted_by=user if user.is_authenticated and user.role == Role.PRACTITIONER else None,
        )
        body = {
            "reference": result.reference,
            "urgent": result.urgent,
            "ineligible": result.ineligible,
            "reason_codes": list(result.reason_codes),
            "signposting": signposts_resolve(result.signposts) if result.ineligible else [],
            "crisis": CRISIS_CONTACTS if result.urgent else [],
        }
        response = Response(ReferralResultSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response
