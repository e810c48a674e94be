"""docs/settings.md is the generated table of every setting, and it is current."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from townhall.settings_doc import SERVICES, render

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_DOC = ROOT / "docs" / "settings.md"


def test_the_settings_page_is_current() -> None:
    assert SETTINGS_DOC.read_text() == render(), (
        "docs/settings.md is stale: uv run python -m townhall.settings_doc > docs/settings.md"
    )


def test_every_setting_is_described() -> None:
    rows = [line for line in render().splitlines() if line.startswith("| `")]
    undescribed = [row.split("`")[1] for row in rows if row.rstrip().endswith("|  |")]
    assert undescribed == [], "give these a comment above their field"
    for service, settings in SERVICES.items():
        prefix = settings.model_config["env_prefix"]
        for name in settings.model_fields:
            assert f"{prefix}{name.upper()}" in render() or name in _shared(), (service, name)


def _shared() -> set[str]:
    from townhall_platform.settings import ServiceSettings

    return set(ServiceSettings.model_fields)


def test_each_command_says_where_its_settings_are() -> None:
    import townhall_policy.cli
    import townhall_portal.cli
    import townhall_publishing.cli
    import townhall_search.cli

    for module in (
        townhall_policy.cli,
        townhall_publishing.cli,
        townhall_search.cli,
        townhall_portal.cli,
    ):
        shown = CliRunner().invoke(module.main, ["--help"]).output
        assert "docs/settings.md" in shown, module.__name__
