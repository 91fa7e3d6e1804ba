"""Re-encrypt every encrypted field with the newest FIELD_ENCRYPTION_KEY.

Key rotation: put the new key first in FIELD_ENCRYPTION_KEY (keeping the old one after
it), deploy, run this command, then remove the old key. Reading decrypts with any listed
key; saving encrypts with the first. Works in batches so it can run on a live service.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from encrypted_model_fields import fields as encrypted_fields
from encrypted_model_fields.fields import EncryptedMixin

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the newest key in FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        crypter = encrypted_fields.CRYPTER
        total = 0
        for model in apps.get_models():
            columns = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
            if not columns:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            pk = model._meta.pk
            assert pk is not None
            pk_column = connection.ops.quote_name(pk.column or pk.name)
            names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
            count = 0
            last = None
            while True:
                # Raw SQL on ciphertext: the ORM would decrypt, and a row whose key is
                # missing would come back as ciphertext and be encrypted twice.
                with transaction.atomic(), connection.cursor() as cursor:
                    where = f"WHERE {pk_column} > %s " if last is not None else ""
                    cursor.execute(
                        f"SELECT {pk_column}, {names} FROM {table} {where}ORDER BY {pk_column} LIMIT {BATCH}",  # noqa: S608
                        [last] if last is not None else [],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    for row in rows:
                        last = row[0]
                        values: list[str | None] = []
                        for value in row[1:]:
                            if value is None:
                                values.append(None)
                                continue
                            try:
                                values.append(crypter.rotate(value.encode()).decode())
                            except InvalidToken as exc:
                                raise CommandError(
                                    f"{model._meta.label} #{row[0]} cannot be decrypted with any configured key"
                                ) from exc
                        assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s",  # noqa: S608
                            [*values, row[0]],
                        )
                        count += 1
            if count:
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted with the newest key"))
