"""Booking and clinical pages in headless Chromium: the main journeys, axe-core on every page,
and a screenshot of each in test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinicians.models import Appointment, AppointmentKind, AppointmentStatus, GroupKind, GroupProgramme, GroupSession
from clinicians.services import appointment_book, outcomes_record
from selfhelp.questionnaires import MEASURES, Measure
from tests.support.browser import assert_accessible

from .factories import EpisodeFactory, SlotFactory, booked, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page: Page, measure: Measure, answers: list[int]) -> None:
    """Tick each answer inside its question's fieldset, found by its legend as a person would."""
    for item, value in zip(measure.items, answers, strict=True):
        label = next(option.label for option in item.options if option.value == value)
        page.get_by_role("group", name=f"{item.number}. {item.text}").get_by_label(label, exact=True).check()


def test_a_practitioner_books_and_then_cancels_an_appointment(
    live_server, signed_in_page, practitioner, episode, site
) -> None:
    SlotFactory(clinician=episode.clinician, start=in_days(4, 15), site=site)
    SlotFactory(clinician=episode.clinician, start=in_days(5, 9, 30))
    page = signed_in_page(practitioner)

    page.goto(f"{live_server.url}/clinician/my/appointments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointments")
    assert_accessible(page, "clinicians-practitioner-appointments-none")

    page.get_by_role("link", name="Book an appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    assert_accessible(page, "clinicians-practitioner-book")

    page.get_by_role("button", name="Book this time").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a time")
    assert_accessible(page, "clinicians-practitioner-book-error")

    page.get_by_label("3pm to 3:50pm, at Riverside Rooms").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("status")).to_contain_text("Your appointment is booked.")
    expect(page.get_by_role("main")).to_contain_text("Ring the buzzer marked Suite 4.")
    assert_accessible(page, "clinicians-practitioner-appointment")

    page.get_by_role("link", name="Cancel this appointment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure you want to cancel")
    assert_accessible(page, "clinicians-practitioner-cancel")
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(page.get_by_role("status")).to_contain_text("Your appointment has been cancelled.")
    expect(page.get_by_role("main")).to_contain_text("Cancelled by you")
    assert_accessible(page, "clinicians-practitioner-appointments-after-cancel")
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED_BY_PRACTITIONER


def test_a_practitioner_whose_time_is_taken_first_is_offered_the_next_times(
    live_server, signed_in_page, practitioner, other_practitioner, episode
) -> None:
    wanted = SlotFactory(clinician=episode.clinician, start=in_days(4, 9))
    SlotFactory(clinician=episode.clinician, start=in_days(6, 11))
    page = signed_in_page(practitioner)
    page.goto(f"{live_server.url}/clinician/my/appointments/book/")
    page.get_by_label("9am to 9:50am, by video").check()

    appointment_book(
        slot_id=wanted.pk, episode_id=EpisodeFactory(clinician=episode.clinician).pk, booked_by=other_practitioner
    )
    page.get_by_role("button", name="Book this time").click()

    alert = page.locator("#time-taken")
    expect(alert).to_contain_text("That time has just been taken")
    expect(alert).to_contain_text("at 11am")
    expect(page.get_by_label("9am to 9:50am, by video")).to_have_count(0)
    assert_accessible(page, "clinicians-practitioner-book-taken")


def test_a_practitioner_answers_phq9_and_gad7_before_a_treatment_appointment(
    live_server, signed_in_page, practitioner, episode
) -> None:
    appointment = booked(episode, start=in_days(3, 10), kind=AppointmentKind.TREATMENT)
    page = signed_in_page(practitioner)
    page.goto(f"{live_server.url}/clinician/my/appointments/{appointment.pk}/")
    expect(page.locator("#questionnaire-invitation")).to_be_visible()
    expect(page.locator("#video-later")).to_contain_text("15 minutes before")
    assert_accessible(page, "clinicians-practitioner-video-appointment")

    page.get_by_role("link", name="answer 2 short questionnaires about how you have been").click()
    assert_accessible(page, "clinicians-practitioner-questionnaires")
    answer(page, MEASURES["PHQ-9"], [1, 1, 2, 1, 1, 1, 1, 0, 0])
    answer(page, MEASURES["GAD-7"], [1, 1, 1, 1, 0, 0, 0])
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page, "clinicians-practitioner-questionnaires-done")
    assert sorted(appointment.outcomes.values_list("measure", "total")) == [("GAD-7", 4), ("PHQ-9", 8)]


def test_a_clinician_records_attendance_and_scores_and_sees_them_on_the_record(
    live_server, signed_in_page, clinician, clinician_profile, episode, site
) -> None:
    earlier = booked(episode, start=in_days(-14, 10), status=AppointmentStatus.ATTENDED, site=site)
    outcomes_record(
        appointment_id=earlier.pk,
        answers={"PHQ-9": [3, 3, 2, 2, 2, 2, 2, 1, 0], "GAD-7": [2, 2, 2, 2, 2, 1, 1]},
        recorded_by=clinician,
    )
    started = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    today = booked(episode, start=started)
    page = signed_in_page(clinician)

    page.goto(f"{live_server.url}/clinician/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    assert_accessible(page, "clinicians-caseload")

    page.get_by_role("link", name="Dr Avery Example").click()
    expect(page.get_by_role("img", name="PHQ-9 and GAD-7 scores over time")).to_be_visible()
    assert_accessible(page, "clinicians-patient-record")

    page.goto(f"{live_server.url}/clinician/appointments/{today.pk}/")
    expect(page.locator("#video-link")).to_be_visible()
    assert_accessible(page, "clinicians-appointment")
    page.get_by_label("Yes, they attended").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_contain_text("Attendance recorded.")

    page.get_by_role("link", name="Enter PHQ-9 and GAD-7 answers").click()
    assert_accessible(page, "clinicians-appointment-scores")
    page.get_by_role("button", name="Save scores").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Answer question 1 of the PHQ-9")
    assert_accessible(page, "clinicians-appointment-scores-errors")
    answer(page, MEASURES["PHQ-9"], [1, 1, 1, 1, 1, 1, 1, 0, 0])
    answer(page, MEASURES["GAD-7"], [1, 1, 1, 0, 0, 0, 0])
    page.get_by_role("button", name="Save scores").click()

    expect(page.get_by_role("main")).to_contain_text("PHQ-9: 7 (mild)")
    expect(page.get_by_role("main")).to_contain_text("GAD-7: 3 (minimal)")
    today.refresh_from_db()
    assert today.status == AppointmentStatus.ATTENDED

    page.get_by_role("link", name="Write a session note about this appointment").click()
    page.get_by_label("Note").fill("Sleep better; returning to full rota next month.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("main")).to_contain_text("returning to full rota")
    assert_accessible(page, "clinicians-session-notes")

    page.goto(f"{live_server.url}/clinician/patients/{episode.pk}/")
    expect(page.locator("#outcome-table tbody tr")).to_have_count(2)
    assert_accessible(page, "clinicians-patient-record-after-session")


def test_the_clinicians_other_pages_are_accessible(
    live_server, signed_in_page, clinician, clinician_profile, episode, site
) -> None:
    booked(episode, start=in_days(2, 10), site=site)
    SlotFactory(clinician=clinician_profile, start=in_days(2, 14))
    group = GroupProgramme.objects.create(
        name="Reflective practice (Tuesdays)", kind=GroupKind.REFLECTIVE_PRACTICE, facilitator=clinician_profile
    )
    GroupSession.objects.create(programme=group, starts_at=in_days(-7, 18), ends_at=in_days(-7, 19))
    page = signed_in_page(clinician)

    page.goto(f"{live_server.url}/clinician/diary/?week={in_days(2, 10):%Y-%m-%d}")
    expect(page.get_by_role("main")).to_contain_text("Dr Avery Example")
    assert_accessible(page, "clinicians-diary")

    page.goto(f"{live_server.url}/clinician/availability/")
    page.get_by_label("Day", exact=True).select_option("Wednesday")
    page.get_by_label("Start time").first.fill("14:00")
    page.get_by_role("button", name="Add weekly time").click()
    expect(page.get_by_role("status")).to_contain_text("Weekly time added")
    assert_accessible(page, "clinicians-availability")

    page.goto(f"{live_server.url}/clinician/groups/")
    page.get_by_role("link", name="Reflective practice (Tuesdays)").click()
    assert_accessible(page, "clinicians-group")

    page.goto(f"{live_server.url}/clinician/patients/{episode.pk}/discharge/")
    assert_accessible(page, "clinicians-discharge")


def test_a_handler_books_for_a_practitioner(live_server, signed_in_page, handler, episode, site) -> None:
    SlotFactory(clinician=episode.clinician, start=in_days(3, 11), site=site)
    page = signed_in_page(handler)

    page.goto(f"{live_server.url}/clinician/booking/")
    assert_accessible(page, "clinicians-handler-booking-list")
    page.get_by_role("link", name="Dr Avery Example").click()
    assert_accessible(page, "clinicians-handler-booking")
    page.get_by_label("Assessment").check()
    page.get_by_label("11am to 11:50am, at Riverside Rooms").check()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("status")).to_contain_text("Appointment booked.")
    assert Appointment.objects.get().kind == AppointmentKind.ASSESSMENT
    page.get_by_role("link", name="cancel the appointment").click()
    assert_accessible(page, "clinicians-handler-cancel")
