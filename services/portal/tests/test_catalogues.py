"""Every message is translated in every catalogue, in the forms the language needs, and
each is used the way it is written (a plural one with a count)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from townhall_portal.catalogues import start_catalogue
from townhall_portal.i18n import LANGUAGES, catalogue, message, plural, plural_templates

TEMPLATES = Path(__file__).parents[1] / "src" / "townhall_portal" / "templates"
FIELD = re.compile(r"%\((\w+)\)s")
# Newstyle gettext marks a message safe HTML: none may hold markup or break an attribute.
HTML = re.compile(r"""[<>&"]""")
SINGULAR_CALL = re.compile(r"""\b_\(\s*["']([a-z_]+\.[a-z0-9_.-]+)["']""")
PLURAL_CALL = re.compile(r"""\bplural(?:_templates)?\(\s*["']([a-z_]+\.[a-z0-9_.-]+)["']""")


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _texts(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return (string,) if isinstance(string, str) else tuple(string)


def untranslated(english: Catalog, other: Catalog) -> list[str]:
    """What `other` lacks or gets wrong against English, one line per message."""
    problems = []
    for source in english:
        if source.id:
            problem = _problem(source, other.get(_key(source.id)), other.num_plurals)
            problems += [f"{_key(source.id)}: {problem}"] if problem else []
    known = {_key(m.id) for m in english if m.id}
    problems += [
        f"{_key(m.id)}: not an English message" for m in other if m.id and _key(m.id) not in known
    ]
    return problems


def _problem(source: Message, found: Message | None, plurals: int) -> str | None:
    if found is None:
        return "missing"
    texts = _texts(found.string)
    if found.fuzzy or not all(text.strip() for text in texts):
        return "not translated"
    if source.pluralizable != found.pluralizable:
        return "plural in one language only"
    if found.pluralizable and len(texts) != plurals:
        return f"{len(texts)} plural forms, the language has {plurals}"
    fields = {f for text in _texts(source.string) for f in FIELD.findall(text)} - {"num"}
    for text in texts:
        if set(FIELD.findall(text)) - {"num"} != fields:
            return f"placeholders {sorted(fields)} expected in {text!r}"
    return None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_in_every_language(language: str) -> None:
    assert untranslated(catalogue("en"), catalogue(language)) == []


def test_a_missing_or_empty_french_message_fails_the_check() -> None:
    english, french = Catalog(locale="en"), Catalog(locale="fr")
    english.add("feed.title", "Your feed")
    english.add("feed.empty", "Nothing to read yet.")
    english.add(("search.results", "search.results"), ("%(num)s result", "%(num)s results"))
    french.add("feed.title", "")
    french.add(("search.results", "search.results"), ("%(num)s résultat", "%(num)s résultats"))
    assert untranslated(english, french) == [
        "feed.title: not translated",
        "feed.empty: missing",
        f"search.results: 2 plural forms, the language has {french.num_plurals}",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_formats_and_holds_no_markup(language: str) -> None:
    for entry in catalogue(language):
        for text in _texts(entry.string) if entry.id else ():
            # A lone `%` raises here: a literal one is written `%%`.
            text % dict.fromkeys(FIELD.findall(text), "x")
            assert not HTML.search(text), entry.id


def test_templates_use_plural_messages_with_a_count_and_the_others_without() -> None:
    plurals = {_key(m.id) for m in catalogue("en") if m.id and m.pluralizable}
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text()
        assert sorted(set(SINGULAR_CALL.findall(source)) & plurals) == [], template.name
        assert sorted(set(PLURAL_CALL.findall(source)) - plurals) == [], template.name


def test_counts_take_the_plural_form_and_the_readers_digits() -> None:
    assert plural("en", "search.results", 1) == "1 result"
    assert plural("en", "search.results", 1240) == "1,240 results"
    assert plural("fr", "search.results", 0) == "0 résultat"
    assert plural("fr", "search.results", 1240) == "1\u202f240 résultats"
    assert plural("fr", "audience.members", 1, name="Ventes") == "Ventes (1 personne)"
    forms = plural_templates("fr", "official.audience_total")
    assert forms["one"].startswith("Atteint au plus {n} personne")
    assert forms["other"].startswith("Atteint au plus {n} personnes")


def test_a_key_is_translated_and_any_other_text_shown_as_it_came() -> None:
    assert message("fr", "nav.feed") == "Fil"
    assert message("fr", "post.revision", n=3) == "modifié : version 3"
    assert message("fr", "objectives.target_typed").endswith("90 pour 90 %)")
    assert message("fr", "Policy says 50% {no}") == "Policy says 50% {no}"
    assert message("de", "nav.feed") == "Feed", "an unknown language reads English"
    assert message("en", "compose.too_long") == "At most … characters."


def test_a_new_language_starts_as_english_left_to_translate(tmp_path: Path) -> None:
    path = start_catalogue("de", locale_dir=tmp_path)
    with path.open("rb") as po:
        german = read_po(po, locale="de")
    assert german.num_plurals == 2
    problems = untranslated(catalogue("en"), german)
    assert len(problems) == len([m for m in catalogue("en") if m.id])
    assert all(p.endswith(": not translated") for p in problems)
    assert "English: Feed" in german["nav.feed"].auto_comments
    with pytest.raises(SystemExit):
        start_catalogue("de", locale_dir=tmp_path)
    with pytest.raises(SystemExit):
        start_catalogue("not-a-language", locale_dir=tmp_path)
