"""A practitioner saving a result, seeing their own results, and nobody else seeing them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from practitioner_health.audit.models import Action, AuditEvent
from selfhelp.models import SavedResult
from selfhelp.selectors import saved_results_for
from selfhelp.services import saved_result_create
from tests.selfhelp.conftest import answers_form
from tests.selfhelp.factories import SavedResultFactory

pytestmark = pytest.mark.django_db

SAVE_URL = reverse("selfhelp:save_result")
MY_RESULTS_URL = reverse("selfhelp:my_results")


def save_data(slug: str, code: str, answers: list[int]) -> dict[str, str]:
    return {"measure": slug} | answers_form(code, answers)


def test_a_practitioner_saves_a_result_and_sees_it_straight_away(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    client = client_for(practitioner)

    response = client.post(SAVE_URL, save_data("phq-9", "PHQ-9", [2, 2, 2, 1, 1, 1, 1, 1, 1]), follow=True)

    saved = SavedResult.objects.get()
    assert (saved.user_id, saved.measure, saved.total, saved.band, saved.urgent) == (
        practitioner.pk,
        "PHQ-9",
        12,
        "moderate",
        True,
    )
    assert saved.answers == [2, 2, 2, 1, 1, 1, 1, 1, 1]
    assert response.redirect_chain == [(reverse("selfhelp:saved_result", kwargs={"pk": saved.pk}), 302)]
    html = response.content.decode()
    assert "Your result has been saved" in html
    assert "Signs of moderate low mood" in html
    # Question 9 was answered above 0, so the saved result shows urgent help too.
    assert html.index('id="urgent-help"') < html.index("<h1>")


def test_saved_answers_are_encrypted_in_the_database(practitioner) -> None:  # type: ignore[no-untyped-def]
    saved = saved_result_create(user=practitioner, measure_code="GAD-7", answers=[3, 2, 1, 0, 1, 2, 3])

    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_json FROM selfhelp_savedresult WHERE id = %s", [saved.pk])
        stored = cursor.fetchone()[0]
    assert "[3, 2, 1" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    saved.refresh_from_db()
    assert saved.answers == [3, 2, 1, 0, 1, 2, 3]


def test_saving_is_audited_against_the_practitioner(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    client_for(practitioner).post(SAVE_URL, save_data("audit-c", "AUDIT-C", [1, 1, 0]))

    saved = SavedResult.objects.get()
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="selfhelp.savedresult")
    assert (event.object_id, event.subject_id, event.actor_id) == (str(saved.pk), practitioner.pk, practitioner.pk)
    assert event.detail == "self-help questionnaire result"


def test_a_tampered_save_is_refused_and_nothing_is_stored(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    data = save_data("phq-9", "PHQ-9", [0] * 9) | {"item_5": "9"}
    del data["item_2"]

    response = client_for(practitioner).post(SAVE_URL, data)

    assert response.status_code == 200
    assert SavedResult.objects.count() == 0
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select an answer for question 2: Feeling down, depressed, or hopeless" in html
    assert "Select an answer for question 5: Poor appetite or overeating" in html


def test_saving_an_unknown_questionnaire_is_not_found(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    response = client_for(practitioner).post(SAVE_URL, {"measure": "phq-99", "item_1": "1"})

    assert response.status_code == 404
    assert SavedResult.objects.count() == 0


@pytest.mark.parametrize("persona", ["handler", "clinician", "commissioner", "admin_user"])
def test_staff_cannot_save_a_result(client_for, request, persona: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(request.getfixturevalue(persona)).post(SAVE_URL, save_data("gad-7", "GAD-7", [0] * 7))

    assert response.status_code == 403
    assert SavedResult.objects.count() == 0


def test_an_anonymous_save_goes_to_sign_in_and_stores_nothing(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(SAVE_URL, save_data("gad-7", "GAD-7", [0] * 7))

    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]
    assert SavedResult.objects.count() == 0


def test_my_results_lists_only_my_own_results_newest_first_and_is_audited(
    client_for, practitioner, other_practitioner
) -> None:  # type: ignore[no-untyped-def]
    older = SavedResultFactory(user=practitioner, measure="GAD-7", answers_given=(0, 0, 0, 0, 0, 0, 1))
    newer = SavedResultFactory(user=practitioner, measure="AUDIT-C", answers_given=(4, 4, 4))
    theirs = SavedResultFactory(user=other_practitioner)

    response = client_for(practitioner).get(MY_RESULTS_URL)

    html = response.content.decode()
    assert html.index(f'href="{reverse("selfhelp:saved_result", kwargs={"pk": newer.pk})}"') < html.index(
        f'href="{reverse("selfhelp:saved_result", kwargs={"pk": older.pk})}"'
    )
    assert "12 out of 12" in html
    assert "1 out of 21" in html
    assert reverse("selfhelp:saved_result", kwargs={"pk": theirs.pk}) not in html
    event = AuditEvent.objects.get(action=Action.VIEW, detail="self-help results list")
    assert event.subject_id == practitioner.pk
    assert "no-store" in response["Cache-Control"]


def test_my_results_says_so_when_there_are_none(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    response = client_for(practitioner).get(MY_RESULTS_URL)

    assert "You have not saved any results yet." in response.content.decode()


def test_my_results_list_query_count_stays_flat(client_for, practitioner, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    SavedResultFactory.create_batch(20, user=practitioner)
    client = client_for(practitioner)
    client.get(MY_RESULTS_URL)  # warm the session

    # Session, user, OTP device, count, page, audit insert (+ savepoints around it).
    with django_assert_max_num_queries(10):
        response = client.get(MY_RESULTS_URL)
    assert response.content.decode().count("out of 27") == 20


def test_viewing_one_saved_result_shows_the_answers_and_is_audited(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    saved = SavedResultFactory(user=practitioner, measure="GAD-7", answers_given=(3, 0, 0, 0, 0, 0, 0))

    response = client_for(practitioner).get(reverse("selfhelp:saved_result", kwargs={"pk": saved.pk}))

    html = response.content.decode()
    assert "Your GAD-7 result from" in html
    assert "Feeling nervous, anxious or on edge</dt>" in html
    assert "Nearly every day" in html
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="selfhelp.savedresult", object_id=str(saved.pk))
    assert event.subject_id == practitioner.pk


def test_another_practitioners_result_is_not_found_and_not_leaked(client_for, practitioner, other_practitioner) -> None:  # type: ignore[no-untyped-def]
    theirs = SavedResultFactory(user=other_practitioner, measure="GAD-7", answers_given=(3, 3, 3, 3, 3, 3, 3))

    response = client_for(practitioner).get(reverse("selfhelp:saved_result", kwargs={"pk": theirs.pk}))

    assert response.status_code == 404
    assert "Signs of severe anxiety" not in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="selfhelp.savedresult", object_id=str(theirs.pk)).exists()


def test_saved_results_for_gives_one_practitioners_results_newest_first(practitioner, other_practitioner) -> None:  # type: ignore[no-untyped-def]
    first = saved_result_create(user=practitioner, measure_code="PHQ-9", answers=[0] * 9)
    second = saved_result_create(user=practitioner, measure_code="GAD-7", answers=[1] * 7)
    saved_result_create(user=other_practitioner, measure_code="PHQ-9", answers=[3] * 9)

    results = list(saved_results_for(practitioner.pk))

    assert results == [second, first]
    assert [(r.measure, r.total, r.band) for r in results] == [("GAD-7", 7, "mild"), ("PHQ-9", 0, "minimal")]


def test_the_service_refuses_a_partial_questionnaire_and_staff(practitioner, clinician) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="PHQ-9 needs 9 answers"):
        saved_result_create(user=practitioner, measure_code="PHQ-9", answers=[0] * 8)
    with pytest.raises(PermissionError):
        saved_result_create(user=clinician, measure_code="PHQ-9", answers=[0] * 9)
    assert SavedResult.objects.count() == 0
