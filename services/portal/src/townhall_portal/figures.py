"""Numbers as the reader's language writes them (1,240 in English, 1 240 in French)."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent


def number(value: float, language: str) -> str:
    """A count or a measure, grouped and with the language's decimal sign."""
    return str(format_decimal(value, format="#,##0.#", locale=language))


def share(value: float, language: str, *, digits: int = 1) -> str:
    """A rate between 0 and 1 as a percentage, to a tenth by default ("12.5%", "12,5 %")."""
    # The language's own pattern (where the % goes, with or without a space).
    pattern = Locale.parse(language).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return str(format_percent(value, format=pattern, locale=language))


def change(value: float, language: str) -> str:
    """A change of a rate, in percentage points, always signed ("+3.0 pt")."""
    return f"{format_decimal(value * 100, format='+#,##0.0;-#,##0.0', locale=language)} pt"


def hours(seconds: float, language: str) -> str:
    """A delay in hours, to a tenth ("1.5 h")."""
    return f"{format_decimal(seconds / 3600, format='#,##0.0', locale=language)} h"
