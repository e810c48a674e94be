"""A form is checked with the API's own request model; every refusal names its field."""

from __future__ import annotations

import pytest

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.moderation import ModerationRequest
from townhall_contracts.publishing.posts import PostCreate
from townhall_portal.forms import FormRefused, checked, refusals


def test_missing_and_too_long_fields_are_told_in_the_user_s_language() -> None:
    with pytest.raises(FormRefused) as refused:
        checked(PostCreate, {"space_id": "", "kind": "social", "title": "  ", "body": "x" * 20001})
    assert refused.value.status_code == 422
    assert refused.value.errors == {
        "space_id": "compose.required",
        "title": "compose.required",
        "body": "compose.too_long",
    }


def test_a_field_may_have_another_name_on_the_form() -> None:
    with pytest.raises(FormRefused) as refused:
        checked(ModerationRequest, {"reason": "no"}, named={"reason": "restore_reason"})
    assert refused.value.errors == {"restore_reason": "compose.required"}


def test_a_rule_across_fields_is_the_refusal() -> None:
    fields = {"space_id": "x", "kind": "social", "title": "t", "body": "b", "authority": "HR"}
    with pytest.raises(FormRefused) as refused:
        checked(PostCreate, fields)
    assert refused.value.refused == "only an official post speaks with an authority"


def test_an_api_refusal_keeps_its_reason_and_status() -> None:
    problem = {
        "detail": "Refused",
        "reason": {
            "summary": "alice may not post.official in space:general",
            "missing": "communicator",
        },
        "errors": [{"location": ["body", "audience_groups", 0], "message": "bad group"}],
    }
    with pytest.raises(FormRefused) as refused, refusals():
        raise UnexpectedResponse("publishing", 403, problem)
    state = refused.value.state({"title": "kept"}, shown={"title"})
    assert state.status_code == 403
    assert state.values == {"title": "kept"}
    # Told in plain words; policy's reason and a field the form does not show are kept
    # as the technical details, one click away.
    assert state.errors == {}
    assert state.refused == "refusal.post.official"
    assert state.detail == (
        "alice may not post.official in space:general (communicator); bad group"
    )


def test_a_pattern_error_is_told_without_its_regular_expression() -> None:
    problem = {
        "detail": "Invalid",
        "errors": [
            {"location": ["body", "space_id"], "type": "string_pattern_mismatch",
             "message": "String should match pattern '^[a-z0-9][a-z0-9_-]{0,62}$'"}
        ],
    }  # fmt: skip
    with pytest.raises(FormRefused) as refused, refusals():
        raise UnexpectedResponse("publishing", 422, problem)
    assert refused.value.errors == {"space_id": "field.invalid"}


def test_other_answers_are_not_the_form_s_business() -> None:
    with pytest.raises(UnexpectedResponse), refusals():
        raise UnexpectedResponse("publishing", 500, None)
