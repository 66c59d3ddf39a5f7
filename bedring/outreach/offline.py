"""The key behind the phone's offline store (HRM-8, "Works offline"; docs/architecture.md,
"Offline on the phone").

A contact recorded without network is encrypted on the phone to a key pair the phone makes
for the login (ECDH P-256, AES-256-GCM; ``static/outreach/offline.js``). The pair's private
half is kept on the phone only wrapped (AES-GCM) by the *device key* below, which the server
hands to the worker's verified session and the page holds in memory, never on disk, while it
sends the waiting contacts. So what the phone stores is readable only together with a live
login of the same worker.

The device key is derived, not stored: HMAC-SHA256 of the worker's id under the server's
secret key. Why not a random key in the session: a session ends after 30 idle minutes, and
outreach work is often longer than that without signal; contacts recorded then would become
unreadable and be lost. Derived from the secret key, the key survives a timeout and a new
login; rotating ``BEDRING_SECRET_KEY`` makes contacts still waiting on phones unreadable.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from bedring.accounts.models import User

KEY_SALT = "bedring.outreach.offline.device-key"
KID_SALT = "bedring.outreach.offline.key-id"


def device_key(user: User) -> bytes:
    """32 bytes: the AES-256-GCM key that wraps the phone's private key for this worker."""
    return salted_hmac(KEY_SALT, f"user:{user.pk}", algorithm="sha256").digest()


def key_id(user: User) -> str:
    """A public name of the worker's device key (another HMAC, so it tells nothing of the
    key): the phone files what it stores under it, and leaves another login's contacts
    alone."""
    return salted_hmac(KID_SALT, f"user:{user.pk}", algorithm="sha256").hexdigest()[:16]
