"""The reference model: casbin over the same rows, for the differential tests and the bench.

The decision path is the snapshot (`enforcement.snapshot`); casbin is the reference
model the differential tests (and `bench/policy_bench.py`) compare it with. This is the
only module that imports casbin, and nothing the service runs imports it: pycasbin is
a development dependency, absent from the service's image.

The model:
The casbin model: roles in domains, and a domain-to-class mapping.

- `p = role, cls, act, scope, eft`: a role held at `scope` (`org` or `space`) may do
  `act` in domains of class `cls` (`org`, `community-public`, ...), `eft = allow`.
  Suspensions are `deny` rules: `user:bob, space:cafe, post.social, deny, deny` (`org`
  as the class: everywhere; `*` as the action: every action); any deny overrides allows.
- `g = _, _, _`: subject → role (or group) in a domain: `user:alice, member, space:cafe`,
  `user:claire, communicator, org`, `user:bob, group:sre, space:ops`.
- `g2 = _, _`: space domain → its class: `space:cafe, community-public`. `org` is its
  own class (casbin's role manager treats a name as linked to itself).

Org roles count in every domain through their class rules; space roles only in the
space where they are held.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import casbin  # type: ignore[import-untyped]

from townhall_contracts.policy import ORG_DOMAIN
from townhall_policy.enforcement.entries import principal_of
from townhall_policy.enforcement.snapshot import PolicySnapshot

MODEL_TEXT = r"""
[request_definition]
r = sub, dom, act

[policy_definition]
p = role, cls, act, scope, eft

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = (r.act == p.act || p.act == "*") && (\
(p.scope == "org" && g2(r.dom, p.cls) && g(r.sub, p.role, "org")) || \
(p.scope == "space" && r.dom != "org" && g2(r.dom, p.cls) && g(r.sub, p.role, r.dom)) || \
(p.scope == "deny" && r.sub == p.role && (p.cls == "org" || p.cls == r.dom)))
"""


@dataclass(frozen=True)
class CasbinRules:
    """casbin's view of the policy: `p` rules (allow and deny), `g` and `g2` links."""

    policies: list[list[str]]
    role_links: list[list[str]]
    class_links: list[list[str]]

    def policy_lines(self) -> list[str]:
        """The rules in casbin's CSV policy format, for a plain file-backed enforcer."""
        lines = [", ".join(["p", *rule]) for rule in self.policies]
        lines += [", ".join(["g", *link]) for link in self.role_links]
        lines += [", ".join(["g2", *link]) for link in self.class_links]
        return lines


def casbin_rules(snapshot: PolicySnapshot) -> CasbinRules:
    """casbin's view of a snapshot: its permissions and suspensions as `p` rules, the
    roles held and group links as `g` links, each space's class as a `g2` link."""
    subjects = snapshot.subjects
    role_links: list[list[str]] = []
    group_domains: dict[str, set[str]] = defaultdict(set)
    for subject_id, held in snapshot.grants_of.items():
        name = subjects[subject_id].principal
        for grant in held:
            role_links.append([name, grant.role, grant.domain])
            if subjects[subject_id].kind == "group":
                group_domains[subject_id].add(grant.domain)
    for member_id, group_ids in snapshot.groups_of.items():
        for group_id in group_ids:
            for domain in sorted(group_domains.get(group_id, ())):
                role_links.append(
                    [subjects[member_id].principal, principal_of("group", group_id), domain]
                )
    policies = [p.rule for p in snapshot.sources.permissions]
    for subject_id, suspensions in snapshot.suspensions_of.items():
        policies.extend(s.rule(subjects[subject_id].principal) for s in suspensions)
    class_links = [[d.id, d.domain_class] for d in snapshot.domains.values() if d.id != ORG_DOMAIN]
    return CasbinRules(policies=policies, role_links=role_links, class_links=class_links)


def file_enforcer(rules: CasbinRules, directory: Path, *, name: str = "policy") -> Any:
    """A plain file-backed `casbin.Enforcer`: the model text and the rules, nothing else."""
    model_path = directory / "model.conf"
    policy_path = directory / f"{name}.csv"
    model_path.write_text(MODEL_TEXT)
    policy_path.write_text("\n".join(rules.policy_lines()) + "\n")
    return casbin.Enforcer(str(model_path), str(policy_path))
