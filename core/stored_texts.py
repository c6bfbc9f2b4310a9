"""Texts stored in English and shown in the reader's language.

A row written once (an event of a period's history, the reason a month's meter data is frozen)
keeps its text in English: the record, searchable in one language. Each such text is written from
a template; ``StoredTexts.shown`` matches a stored text against its templates, takes the values
back out and puts them into the template in the active language. A text no template matches (an
older wording) is shown as stored.
"""

import re

from django.utils.translation import gettext


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)  # literal, name, literal, name, ..., literal
    return re.compile("".join(f"(?P<{part}>.+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)))


class StoredTexts:
    """The templates (``gettext_noop`` strings) one kind of stored text is written from. ``words``
    are values that are texts themselves (a document named in words), translated as well."""

    def __init__(self, templates: list[str], *, words: tuple[str, ...] = ()):
        self.fixed = {template for template in templates if "%(" not in template}
        # Longest first, so a template that extends another ("... (stuck pending)") is tried before it.
        with_values = sorted((template for template in templates if "%(" in template), key=len, reverse=True)
        self.patterns = [(_pattern(template), template) for template in with_values]
        self.words = set(words)

    def shown(self, stored: str) -> str:
        """``stored`` in the active language."""
        if stored in self.fixed:
            return gettext(stored)
        for pattern, template in self.patterns:
            if match := pattern.fullmatch(stored):
                values = {
                    name: gettext(value) if value in self.words else value for name, value in match.groupdict().items()
                }
                return gettext(template) % values
        return stored
