"""Bank details a member transfers to: IBAN (ISO 13616) and BIC (ISO 9362) checks."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def compact_iban(value: str) -> str:
    """The IBAN as stored: capitals, no spaces (people type and print it in groups of four)."""
    return re.sub(r"\s+", "", value).upper()


def grouped_iban(value: str) -> str:
    """The IBAN as printed on a document: groups of four, easy to read out and type."""
    compact = compact_iban(value)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def validate_iban(value: str) -> None:
    iban = compact_iban(value)
    if not _IBAN_SHAPE.match(iban):
        raise ValidationError(
            _(
                "%(value)r is not an IBAN: two letters, two check digits and up to 30 letters or digits, "
                "e.g. DE89 3704 0044 0532 0130 00."
            ),
            params={"value": value},
        )
    rearranged = iban[4:] + iban[:4]
    if int("".join(str(int(char, 36)) for char in rearranged)) % 97 != 1:
        raise ValidationError(
            _("%(value)r: the IBAN's check digits do not match; a character is mistyped."), params={"value": value}
        )


def validate_bic(value: str) -> None:
    if not _BIC_SHAPE.match(value.strip().upper()):
        raise ValidationError(
            _("%(value)r is not a BIC: 8 or 11 letters and digits, e.g. COBADEFFXXX."), params={"value": value}
        )
