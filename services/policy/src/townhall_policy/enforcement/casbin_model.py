"""The casbin model: roles in domains, and a domain-to-class mapping.

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

from typing import Any

import casbin  # type: ignore[import-untyped]

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


def new_model() -> Any:
    """A fresh casbin model of the text above (a model holds its rules: one per enforcer)."""
    model = casbin.Model()
    model.load_model_from_text(MODEL_TEXT)
    return model
