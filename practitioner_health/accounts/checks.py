"""Start-up checks: a misconfigured encryption key must stop the service, not corrupt data.

django-encrypted-model-fields returns the ciphertext instead of raising when a key is
wrong, so without this check the service would start and show gibberish (or worse, save
it back). The canary row is written after the first migration.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError, connection


def canary_errors(crypter: MultiFernet | None = None) -> list[CheckMessage]:
    from encrypted_model_fields import fields

    from .models import KeyCanary

    crypter = crypter or fields.CRYPTER
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {KeyCanary._meta.db_table} ORDER BY id LIMIT 1")  # noqa: S608
            row = cursor.fetchone()
    except DatabaseError:
        # Not migrated yet: `migrate` runs checks before creating the table.
        return []
    if row is None:
        return []
    try:
        plaintext = crypter.decrypt(row[0].encode()).decode()
    except InvalidToken:
        plaintext = None
    if plaintext != KeyCanary.KNOWN_VALUE:
        return [
            Error(
                "FIELD_ENCRYPTION_KEY cannot decrypt the stored key canary.",
                hint="The key is wrong or the newest key was removed. Restore the key the data was "
                "encrypted with (keys are comma-separated, newest first).",
                id="accounts.E001",
            )
        ]
    return []


@register()
def check_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return canary_errors()
