"""Why meter data is frozen, and why a reading inside it is refused, in the reader's language."""

import datetime as dt

from django.utils.translation import gettext, gettext_noop

from core.stored_texts import StoredTexts

# A frozen range's reason is stored in English (the record) and shown through FROZEN_REASONS.
CLOSED_PERIOD_REASON = gettext_noop("settlement period %(month)s is closed")
FROZEN_REASONS = StoredTexts([CLOSED_PERIOD_REASON])


def frozen_refusal(verb: str, house_id: str, start: dt.datetime, reason: str) -> str:
    """Why a reading inside a range frozen for the stored ``reason`` cannot be created, saved,
    changed, moved or deleted."""
    refusal = {
        "create": gettext("The reading of %(house)s at %(start)s UTC cannot be created: %(reason)s"),
        "save": gettext("The reading of %(house)s at %(start)s UTC cannot be saved: %(reason)s"),
        "change": gettext("The reading of %(house)s at %(start)s UTC cannot be changed: %(reason)s"),
        "move": gettext("The reading of %(house)s at %(start)s UTC cannot be moved: %(reason)s"),
        "delete": gettext("The reading of %(house)s at %(start)s UTC cannot be deleted: %(reason)s"),
    }[verb]
    values = {"house": house_id, "start": f"{start:%Y-%m-%d %H:%M}", "reason": FROZEN_REASONS.shown(reason)}
    return refusal % values + gettext(
        ", and a closed period's meter data never changes. Correct the invoice by cancelling it instead."
    )
