"""What the referrals app tells the apps that build on it (they import this; it imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that closes a referral before care, with `referral`: apps
# that keep work for it (the helpline's callbacks) stop that work in the same transaction.
referral_closed = Signal()
