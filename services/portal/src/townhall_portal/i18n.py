"""The portal's languages: one gettext catalogue each, chosen from the browser's language,
switchable, kept in a cookie.

A catalogue is `locale/<language>/LC_MESSAGES/messages.po`; its msgids are message keys
(`nav.feed`) and English is a catalogue like the others. The languages are the catalogues
found there, so a new language is a new catalogue (docs/portal.md). Catalogues are compiled
in memory the first time a language is used: no `.mo` file to build or to forget.
"""

from __future__ import annotations

import copy
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .figures import number

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "townhall_lang"


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _languages() -> tuple[str, ...]:
    found = sorted(p.parents[1].name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


# English first: it is the default and every other language falls back to it.
LANGUAGES = _languages()


@cache
def catalogue(language: str) -> Catalog:
    """The catalogue of `language` as written (for checks and tools)."""
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


@cache
def translations(language: str) -> Translations:
    """The compiled messages of `language`, falling back to English for a missing one."""
    if language not in LANGUAGES:
        return translations(DEFAULT_LANGUAGE)
    compiled = BytesIO()
    write_mo(compiled, _translated(catalogue(language)))
    compiled.seek(0)
    found = Translations(compiled, domain=DOMAIN)
    if language != DEFAULT_LANGUAGE:
        found.add_fallback(translations(DEFAULT_LANGUAGE))
    return found


def _translated(found: Catalog) -> Catalog:
    """`found` without the messages still to translate, so that English stands in for them
    (gettext would show an empty plural form)."""
    kept = copy.deepcopy(found)
    for entry in found:
        texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.id and not all(texts):
            del kept[entry.id]
    return kept


def is_key(value: str) -> bool:
    """Whether `value` names a message (rather than being a text from an API)."""
    return value in catalogue(DEFAULT_LANGUAGE)


def message(language: str, value: str | None, **values: Any) -> str:
    """The message `value` names, in `language`, with `values` filled in; a text that is no
    key (an API's own words) is shown as it came, never formatted."""
    if not value:
        return ""
    if not is_key(value):
        return value
    return str(translations(language).gettext(value)) % _Values(values)


class _Values(dict[str, Any]):
    """A message's values, a missing one shown as an ellipsis rather than failing the page
    (a form error whose limit the page does not know)."""

    def __missing__(self, name: str) -> str:
        return "…"


def plural(language: str, key: str, count: int, **values: Any) -> str:
    """The message `key` in the plural form `count` calls for in `language`, the count
    written the language's way as `%(num)s`."""
    text = translations(language).ngettext(key, key, count)
    return str(text) % {"num": number(count, language), **values}


def plural_templates(language: str, key: str, **values: Any) -> dict[str, str]:
    """The message `key` for each plural category of `language` ("one", "other"...), the
    count left as `{n}`: for a script that counts in the browser (`Intl.PluralRules`)."""
    rule = Locale.parse(language).plural_form
    forms: dict[str, str] = {}
    for sample in (*range(200), 1000, 1_000_000):
        forms.setdefault(rule(sample), plural(language, key, sample, **values, num="{n}"))
    return forms


def language_name(language: str) -> str:
    """A language as its speakers write it ("Français"), for the language switcher."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def negotiate(accept_language: str | None, chosen: str | None) -> str:
    """The user's choice if any, else the first supported language the browser prefers."""
    if chosen in LANGUAGES:
        return str(chosen)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE
