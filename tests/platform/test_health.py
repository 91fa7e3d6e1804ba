import pytest
from django.test import Client


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_broker_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readyz_stays_ready_and_reports_a_degraded_broker_when_redis_is_unreachable(client: Client, settings) -> None:
    from tests.support.services import free_port

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 200, "pages still work: messages wait in the outbox"
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unavailable"}


def test_readyz_is_503_when_the_database_is_unreachable(client: Client) -> None:
    # No django_db mark: the test settings refuse queries here, as a lost database would.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_every_response_carries_a_request_id(client: Client) -> None:
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32
