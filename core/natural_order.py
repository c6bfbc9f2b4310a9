"""Natural order of identifiers people number by hand: ``house_2`` before ``house_10``. Pure."""

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A sort key that compares runs of digits as numbers and the rest case-insensitively.

    ``re.split`` with a capturing group alternates text and digits (text first, possibly empty),
    so position by position the key compares str with str and int with int. The text itself
    comes last: ``house_02`` and ``house_2`` still sort the same way every time.
    """
    parts = _DIGITS.split(text)
    return tuple(int(part) if index % 2 else part.casefold() for index, part in enumerate(parts)), text
