"""The policy service at the HTTP boundary of `PolicyClient`, from a small directory.

It answers what notifications asks: a subject's principals, the audience of reader
principals, decisions (`read`, `moderate`, `approve.official` in a space), one at a time
or as the subjects allowed, and the revision. Tests change the directory (a member
revoked) between calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx

EMPLOYEES = {"alice", "bob", "chloe", "claire", "marc", "nadia", "emma", "olivier"}


@dataclass
class Space:
    visibility: str = "public"
    members: set[str] = field(default_factory=set)
    moderators: set[str] = field(default_factory=set)
    owners: set[str] = field(default_factory=set)


@dataclass
class PolicyStub:
    employees: set[str] = field(default_factory=lambda: set(EMPLOYEES))
    # zoe is a contractor: no `org`, member of the restricted space only.
    others: set[str] = field(default_factory=lambda: {"zoe"})
    spaces: dict[str, Space] = field(
        default_factory=lambda: {
            "general": Space(),
            "engineering": Space(),
            "phoenix": Space("restricted", {"alice", "bob", "zoe"}, {"bob"}),
        }
    )
    groups: dict[str, set[str]] = field(default_factory=lambda: {"hr": {"chloe", "emma"}})
    approvers: set[str] = field(default_factory=lambda: {"marc"})
    org_moderators: set[str] = field(default_factory=lambda: {"nadia"})
    admins: set[str] = field(default_factory=set)
    # Compliance officers read every space, restricted ones too.
    auditors: set[str] = field(default_factory=lambda: {"olivier"})
    down: bool = False
    revision: int = 1

    @property
    def subjects(self) -> set[str]:
        return self.employees | self.others

    def principals(self, user: str) -> set[str]:
        tokens = {f"user:{user}"}
        if user in self.employees:
            tokens.add("org")
        if user in self.org_moderators:
            tokens.add("moderator:org")
        if user in self.auditors:
            tokens.add("auditor:org")
        for name, space in self.spaces.items():
            if user in space.members:
                tokens.add(f"space:{name}")
            if user in space.moderators:
                tokens.add(f"moderator:space:{name}")
        tokens.update(f"group:{g}" for g, members in self.groups.items() if user in members)
        return tokens

    def allows(self, user: str, action: str, domain: str) -> bool:
        if domain == "org":
            return action == "grants.manage" and user in self.admins
        space = self.spaces.get(domain.removeprefix("space:"))
        if space is None or user not in self.subjects:
            return False
        public = space.visibility == "public"
        reads = user in space.members or (public and user in self.employees)
        if action == "read":
            return reads or user in self.auditors
        if action == "moderate":
            return user in space.moderators or (public and user in self.org_moderators)
        if action == "manage.space":
            return user in space.owners
        if action == "approve.official":
            return reads and user in self.approvers
        return False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(503, json={"title": "down", "status": 503})
        path, method = request.url.path, request.method
        if path == "/v1/revision":
            return httpx.Response(200, json={"policy_revision": self.revision})
        if path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        if path == "/internal/v1/audiences" and method == "POST":
            wanted = set(json.loads(request.content)["principals"])
            subjects = sorted(s for s in self.subjects if self.principals(s) & wanted)
            body = {"principals": sorted(wanted), "subjects": subjects}
            return httpx.Response(200, json={**body, "policy_revision": self.revision})
        if path == "/v1/decisions/batch" and method == "POST":
            asked = json.loads(request.content)["decisions"]
            decisions = [self._decision(**d) for d in asked]
            return httpx.Response(
                200, json={"policy_revision": self.revision, "decisions": decisions}
            )
        if path == "/internal/v1/decisions/allowed" and method == "POST":
            asked = json.loads(request.content)
            action, domain = asked["action"], asked["domain"]
            allowed = [s for s in asked["subjects"] if self.allows(s, action, domain)]
            body = {"action": action, "domain": domain, "subjects": allowed}
            return httpx.Response(200, json={**body, "policy_revision": self.revision})
        if path == "/v1/decisions" and method == "POST":
            return httpx.Response(200, json=self._decision(**json.loads(request.content)))
        if path.startswith("/v1/subjects/") and path.endswith("/principals"):
            subject = path.split("/")[3]
            if subject not in self.subjects:
                return httpx.Response(404, json={"title": "Not found", "status": 404})
            principals = sorted(self.principals(subject))
            return httpx.Response(
                200,
                json={
                    "subject": subject,
                    "active": True,
                    "principals": principals,
                    "policy_revision": self.revision,
                },
            )
        return httpx.Response(404, json={"title": "Not found", "status": 404})

    def _decision(self, subject: str, action: str, domain: str) -> dict[str, object]:
        allowed = self.allows(subject, action, domain)
        return {
            "allowed": allowed,
            "decision_id": "d-1",
            "policy_revision": self.revision,
            "reason": {"summary": "stub"},
            "subject": subject,
            "action": action,
            "domain": domain,
        }
