"""docs/settings.md: every setting of every service, generated from the settings classes.

    uv run python -m townhall.settings_doc > docs/settings.md

A setting's description is the comment written above its field in the class (or its
`Field(description=...)`), so the table says what the code says. `tests/test_settings_doc.py`
fails when the file is stale.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from townhall_notifications.settings import NotificationsSettings
from townhall_platform.settings import ServiceSettings
from townhall_policy.settings import PolicySettings
from townhall_portal.settings import PortalSettings
from townhall_publishing.settings import PublishingSettings
from townhall_search.settings import SearchSettings

SERVICES: dict[str, type[ServiceSettings]] = {
    "policy": PolicySettings,
    "publishing": PublishingSettings,
    "search": SearchSettings,
    "portal": PortalSettings,
    "notifications": NotificationsSettings,
}
_FIELD = re.compile(r"^\s{4}(\w+)\s*:")
_COMMENT = re.compile(r"^\s{4}#\s?(.*)$")

HEADER = """# Settings

Generated from the settings classes by `uv run python -m townhall.settings_doc >
docs/settings.md`; `tests/test_settings_doc.py` fails when this page is stale. Every
setting is an environment variable (or a line of the `.env` file in the working
directory): the service's prefix, then the name in capitals
(`TOWNHALL_SEARCH_OPENSEARCH_URL`). How to run the services with them:
[operations.md](operations.md).
"""


def field_comments(cls: type[BaseSettings]) -> dict[str, str]:
    """The comment lines right above each field of `cls` and its settings ancestors."""
    comments: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseSettings)):
            continue
        if klass is BaseSettings:
            continue
        pending: list[str] = []
        group = ""
        for line in inspect.getsource(klass).splitlines():
            comment, field = _COMMENT.match(line), _FIELD.match(line)
            if comment:
                pending.append(comment.group(1).strip())
            elif field and field.group(1) != "model_config":
                if pending:
                    group, pending = " ".join(pending), []
                    comments[field.group(1)] = group
                elif group:
                    # A comment above a group of fields describes each of them.
                    comments[field.group(1)] = "Same as above: " + group
            elif not line.strip() or not line.startswith("    " * 2):
                pending, group = [], ""
    return comments


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "(required)"
    value: Any = info.get_default(call_default_factory=True)
    if hasattr(value, "get_secret_value"):
        return "(a development placeholder)" if value.get_secret_value() else "(empty)"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Path):
        return f"`{value}`"
    if value is None:
        return "(none)"
    return f"`{value}`" if value != "" else "(empty)"


def _rows(cls: type[ServiceSettings], *, shared: bool) -> Iterator[str]:
    """One row per field: those every service has (`shared`), else the service's own
    and those whose default it changes."""
    prefix = cls.model_config.get("env_prefix", "")
    comments = field_comments(cls)
    base = ServiceSettings.model_fields
    for name, info in cls.model_fields.items():
        common = name in base and _default(base[name]) == _default(info)
        if common != shared:
            continue
        described = info.description or comments.get(name, "")
        kind = getattr(info.annotation, "__name__", None) or str(info.annotation)
        for module in ("typing.", "pydantic.types.", "pathlib."):
            kind = kind.replace(module, "")
        kind = kind.replace("|", "or")
        yield (
            f"| `{prefix}{name.upper()}` | {kind} | {_default(info)} | "
            f"{described.replace('|', '/')} |"
        )


def render() -> str:
    """The whole page."""
    parts = [
        HEADER,
        "\n## Every service\n\nEach service reads these under its own prefix "
        "(`TOWNHALL_POLICY_`, `TOWNHALL_PUBLISHING_`, `TOWNHALL_SEARCH_`, `TOWNHALL_PORTAL_` "
        "in place of `TOWNHALL_`); a service that changes a default lists it below.\n\n",
        _table(_rows(ServiceSettings, shared=True)),
    ]
    for service, cls in SERVICES.items():
        parts += [f"\n## {service}\n\n", _table(_rows(cls, shared=False))]
    return "".join(parts)


def _table(rows: Iterator[str]) -> str:
    lines = ["| variable | type | default | what it is |", "|---|---|---|---|", *rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
