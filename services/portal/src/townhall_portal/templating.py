"""The pages' templates: shared filters and globals, and one environment per language with
that language's catalogue installed through `jinja2.ext.i18n` (newstyle gettext).

Templates write `_("key", name=value)` for a message, `plural("key", count)` for one with a
count, `message(value)` for a value that may be a key or an API's own words, `number(x)` and
`share(rate)` for figures. Each language has its own environment rather than one shared
environment re-installed per request, which would let two requests swap languages.
"""

from __future__ import annotations

import json
from collections import ChainMap
from functools import cache, partial
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from .figures import change, number, share
from .i18n import LANGUAGES, language_name, message, plural, plural_templates, translations

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _templates() -> Jinja2Templates:
    loader = FileSystemLoader(TEMPLATE_DIR)
    return Jinja2Templates(
        env=Environment(loader=loader, autoescape=True, extensions=["jinja2.ext.i18n"])
    )


# What every language shares: modules register their filters and globals here.
TEMPLATES = _templates()
TEMPLATES.env.globals.update(languages=LANGUAGES, language_name=language_name)


def _script_messages(language: str) -> dict[str, object]:
    """What the page's scripts say, in `language` (read by reach.js)."""
    return {
        "hint": message(language, "script.mention_hint"),
        "found": plural_templates(language, "script.mentions_found"),
        "copy": message(language, "script.copy"),
        "copied": message(language, "script.copied"),
    }


@cache
def templates_for(language: str) -> Jinja2Templates:
    """The templates in `language` (an unsupported one falls back to English messages)."""
    templates = _templates()
    env = templates.env
    env.filters = TEMPLATES.env.filters
    # This language's names in front of the shared ones, read through at render time.
    env.globals = ChainMap(dict(env.globals), TEMPLATES.env.globals)  # type: ignore[assignment]
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        message=partial(message, language),
        plural=partial(plural, language),
        number=partial(number, language=language),
        share=partial(share, language=language),
        change=partial(change, language=language),
        plural_templates=partial(plural_templates, language),
        script_messages=json.dumps(_script_messages(language), ensure_ascii=False),
    )
    return templates
