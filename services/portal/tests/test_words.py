"""Every message a page names is in the catalogues; times read as people read them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from townhall_contracts.policy import NamedSubject
from townhall_contracts.readers import PostState
from townhall_portal.i18n import LANGUAGES, catalogue
from townhall_portal.people import PageNames, collect
from townhall_portal.templating import templates_for
from townhall_portal.times import parse_local, when, zone_city, zone_of
from townhall_portal.web import named_value

KEYS = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("en") if m.id}
PORTAL = Path(__file__).parents[1] / "src" / "townhall_portal"
# A key written literally in a template: _("x.y"), plural("x.y", n), message("x.y").
LITERAL_KEY = re.compile(r"""\b(?:_|plural|message)\(\s*["']([a-z_]+\.[a-z0-9_.-]+)["']""")
# A key written in a page: "x.y" as a message key.
PAGE_KEY = re.compile(r'"((?:[a-z_]+)\.[a-z_]+(?:\.[a-z_.-]+)?)"')
STEPS = (
    "draft", "submit", "withdraw", "approve", "reject", "schedule", "schedule-missed", "publish"
)  # fmt: skip
POLICY = Path(__file__).parents[2] / "policy" / "src" / "townhall_policy"
# How policy names the events it records in its audit trail.
EVENT_TYPE = re.compile(r"""(?:event_type\s*=\s*|CHAIN_KEYED\s*=\s*)["']([a-z_]+\.[a-z_]+)["']""")


def test_every_key_a_template_names_has_both_languages() -> None:
    used = set()
    for template in (PORTAL / "templates").glob("*.html"):
        used |= set(LITERAL_KEY.findall(template.read_text()))
    used |= {f"state.{s.value}" for s in PostState} | {f"step.{s}" for s in STEPS}
    # A key ending in "." or "_" is the prefix of keys made from a value (`"state." ~ s`).
    missing = sorted(k for k in used if k not in KEYS and not k.endswith((".", "_")))
    assert missing == []


def test_every_audit_event_policy_records_and_every_grant_event_has_words() -> None:
    recorded = set()
    for module in POLICY.rglob("*.py"):
        recorded |= set(EVENT_TYPE.findall(module.read_text()))
    assert {"grant.created", "grant.revoked", "audit.chain_keyed"} <= recorded
    assert sorted(e for e in recorded if f"audit.{e}" not in KEYS) == []
    schemas = (POLICY / "compliance" / "schemas.py").read_text()
    literal = re.search(r"event: Literal\[([^\]]+)\]", schemas)
    assert literal, "policy's grant history names its events in a Literal"
    events = re.findall(r'"([a-z_]+)"', literal.group(1))
    assert "granted" in events
    assert sorted(e for e in events if f"history.{e}" not in KEYS) == []


def test_machine_words_are_named_and_unknown_ones_shown_as_they_came() -> None:
    assert named_value("fr", "audit.", "grant.created") == "Rôle attribué"
    assert named_value("fr", "history.", "revoked") == "Retiré"
    assert named_value("fr", "audit.", "something.new") == "something.new"
    assert named_value("fr", "review.", None) == ""
    names = PageNames(
        people={"paul": NamedSubject(id="paul", kind="user", display_name="Paul Fournier")}
    )
    assert names.who_with_id("paul") == "Paul Fournier (paul)"
    assert names.who_with_id("gone") == "gone", "an unknown id is not repeated"


def test_refusals_and_notices_named_by_pages_are_translated() -> None:
    prefixes = ("refusal.", "edit.", "delete.", "audience.", "approvals.", "field.", "post.")
    for page in [*(PORTAL / "pages").glob("*.py"), PORTAL / "forms.py", PORTAL / "web.py"]:
        for key in PAGE_KEY.findall(page.read_text()):
            if key.startswith(prefixes) and not key.endswith(".html"):
                assert key in KEYS, f"{page.name}: {key}"


def test_times_are_told_in_the_readers_zone_and_language_to_the_minute() -> None:
    instant = datetime(2026, 12, 7, 9, 0, 30, 123456, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")
    assert when(instant, "en", paris) == "7 Dec 2026, 10:00" or "10:00" in when(
        instant, "en", paris
    )
    assert "10:00" in when(instant, "fr", paris) and "déc." in when(instant, "fr", paris)
    assert ":30" not in when(instant, "en", paris)
    assert zone_city(paris, "en") == "Paris"
    assert zone_of("Not/AZone", "Europe/Paris") == paris
    assert zone_of("../../etc/passwd", "UTC") == ZoneInfo("UTC")


def test_a_time_typed_in_paris_is_the_instant_meant() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert parse_local("2030-07-04T08:24", paris) == datetime(2030, 7, 4, 6, 24, tzinfo=UTC)
    assert parse_local("2030-01-04T08:24", paris) == datetime(2030, 1, 4, 7, 24, tzinfo=UTC)
    assert parse_local("not a time", paris) is None


def test_a_pages_people_spaces_and_audiences_are_found_wherever_they_are() -> None:
    found = collect(
        {
            "posts": [{"author_id": "alice", "space_id": "cafe", "audience_groups": ["sales"]}],
            "values": {"audience_groups": "hr, engineers"},
            "report": {"pending_subjects": ["bob"]},
        }
    )
    assert found.people == {"alice", "sales", "hr", "engineers", "bob"}
    assert found.spaces == {"cafe"}


def test_every_template_compiles() -> None:
    for language in LANGUAGES:
        for template in (PORTAL / "templates").glob("*.html"):
            templates_for(language).env.get_template(template.name)
