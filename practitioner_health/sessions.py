"""Database sessions that read and write a session row in one plain statement each.

Every self-referral answer and every staff page reads its session, and most of them save it.
Django's database store builds an ORM query for each read (about a third of a millisecond
of Python here, twice what the round trip to PostgreSQL costs) and wraps every save in a
transaction: BEGIN, UPDATE, COMMIT. This store reads with one parameterised SELECT and
saves an existing session with one UPDATE, which is atomic on its own. Creating a session
still goes through Django's own path (the INSERT must not spoil a transaction around it).

Session data is signed, and compressed when that makes it shorter. The self-referral answers
in it are encrypted (and compressed before that, see referrals.flow), but the ciphertext is
base64 text, which the signer encodes again: compressing takes a whole journey from about
2,000 characters to about 1,600, well below PostgreSQL's TOAST threshold, so saving a
session rewrites one short row.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import signing
from django.db import connections, router
from django.utils import timezone

# Django's own session table (django.contrib.sessions.models.Session).
READ = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
UPDATE = "UPDATE django_session SET session_data = %s, expire_date = %s WHERE session_key = %s"


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        key = self.session_key  # SessionBase keeps only a well-formed key, else None
        if key is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                READ,
                [key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])

    def encode(self, session_dict: dict[str, Any]) -> str:
        return signing.dumps(session_dict, salt=self.key_salt, serializer=self.serializer, compress=True)

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            super().save(must_create=must_create)
            return
        alias = router.db_for_write(self.model)
        connection = connections[alias]
        data = self.encode(dict(self.items()))
        with connection.cursor() as cursor:
            cursor.execute(
                UPDATE,
                [data, connection.ops.adapt_datetimefield_value(self.get_expiry_date()), self.session_key],
            )
            updated = cursor.rowcount
        if not updated:
            # Deleted meanwhile (signed out in another tab, or expired and cleared):
            # Django's middleware turns this into its "session deleted" answer, as before.
            raise UpdateError
