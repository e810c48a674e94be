"""A new language's catalogue, started from English for a translator to fill in."""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from .i18n import DEFAULT_LANGUAGE, DOMAIN, LOCALE_DIR, catalogue


def start_catalogue(language: str, *, locale_dir: Path = LOCALE_DIR) -> Path:
    """Write `locale/<language>/LC_MESSAGES/messages.po`: every English message with an
    empty translation and the English text beside it, the language's plural rule in its
    header. Refuses an unknown language or an existing catalogue."""
    try:
        name = Locale.parse(language).english_name
    except (UnknownLocaleError, ValueError) as exc:
        raise SystemExit(f"{language}: not a language Babel knows ({exc})") from exc
    path = locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        raise SystemExit(f"{path} exists already: edit it")
    english = catalogue(DEFAULT_LANGUAGE)
    started = Catalog(locale=language, project=english.project, version=english.version)
    started.header_comment = (
        f"# The Townhall portal's messages in {name}.\n"
        "# msgid is the message's key; docs/portal.md says how to add one.\n#"
    )
    started.fuzzy = False
    for entry in english:
        if not entry.id:
            continue
        texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        blank: str | tuple[str, ...] = ("",) * started.num_plurals if entry.pluralizable else ""
        english_text = " | ".join(str(text) for text in texts)
        started.add(entry.id, blank, auto_comments=[f"English: {english_text}"])
    path.parent.mkdir(parents=True)
    with path.open("wb") as po:
        write_po(po, started, width=100)
    return path
