from celery import shared_task

from .services.callbacks import callback_place_call, callbacks_sweep


@shared_task(name="triage.place_callback")
def place_callback(callback_id: int) -> str:
    return callback_place_call(callback_id=callback_id)


@shared_task(name="triage.callbacks_due")
def callbacks_due() -> int:
    return callbacks_sweep()
