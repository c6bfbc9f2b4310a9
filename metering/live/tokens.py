"""Per-meter API tokens: issued (or rotated) in the admin, shown once, kept as a SHA-256 hash."""

import hashlib
import secrets

from django.db import transaction

from metering.models import MeterToken


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def meter_token_issue(*, house) -> str:
    """A new token for ``house``, replacing any earlier one; the only time it is seen in clear."""
    token = secrets.token_urlsafe(32)
    MeterToken.objects.update_or_create(house=house, defaults={"token_sha256": _digest(token), "hint": token[:6]})
    return token


def meter_token_owner(*, token: str) -> MeterToken | None:
    """The token's record (with its house and community), or None for a token nobody was given."""
    if not token or len(token) > 200:
        return None
    return MeterToken.objects.select_related("house__community").filter(token_sha256=_digest(token)).first()
