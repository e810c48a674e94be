"""Policy's token endpoint: the client-credentials grant (RFC 6749 §4.4) and its JWKS."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from townhall_platform.auth import TokenVerifier
from townhall_policy.app import create_app
from townhall_policy.oauth.service import secret_digest
from townhall_policy.settings import PolicySettings

SECRET = "s3cret-for-search-only-in-this-test-0123456789"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {**FORM, "Authorization": f"Basic {raw}"}


@pytest.fixture(scope="module")
def issuer(
    settings: PolicySettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    key = tmp_path_factory.mktemp("oauth") / "issuer.pem"
    configured = settings.model_copy(
        update={
            "oauth_clients": {"search": secret_digest(SECRET)},
            "oauth_token_seconds": 120,
            "oauth_signing_key_file": key,
            "oauth_issuer": "townhall-policy-test",
        }
    )
    with TestClient(create_app(configured)) as client:
        yield client


def verifier_for(client: TestClient) -> TokenVerifier:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    public = jwt.algorithms.RSAAlgorithm.from_jwk(keys[0])
    verifier = TokenVerifier(
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
        public_key=public,  # type: ignore[arg-type]
    )
    verifier.trust_local_service_issuer("townhall-policy-test", public)  # type: ignore[arg-type]
    return verifier


def test_a_client_gets_a_service_token_that_verifies(issuer: TestClient) -> None:
    answer = issuer.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic("search", SECRET)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 120
    caller = verifier_for(issuer).verify(body["access_token"])
    assert caller.kind == "service" and caller.service_name == "search"
    assert (
        jwt.get_unverified_header(body["access_token"])["kid"]
        == issuer.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    )


def test_the_secret_may_come_in_the_form(issuer: TestClient) -> None:
    answer = issuer.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "search", "client_secret": SECRET},
    )
    assert answer.status_code == 200, answer.text


def test_a_token_of_this_issuer_is_never_a_user_token(issuer: TestClient) -> None:
    token = issuer.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic("search", SECRET)
    ).json()["access_token"]
    # The service token is refused where a user is expected.
    answer = issuer.get("/v1/grants", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403, answer.text


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("search", "wrong"), ("publishing", SECRET), ("", SECRET)],
    ids=["wrong-secret", "unknown-client", "no-client"],
)
def test_bad_client_credentials_are_401_invalid_client(
    issuer: TestClient, client_id: str, secret: str
) -> None:
    answer = issuer.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic(client_id, secret)
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["www-authenticate"].startswith("Basic")


def test_no_credentials_at_all_is_401(issuer: TestClient) -> None:
    answer = issuer.post("/oauth/token", content="grant_type=client_credentials", headers=FORM)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_malformed_basic_credentials_are_401(issuer: TestClient) -> None:
    headers = {**FORM, "Authorization": "Basic !!!not-base64"}
    answer = issuer.post("/oauth/token", content="grant_type=client_credentials", headers=headers)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_another_grant_is_400_unsupported_grant_type(issuer: TestClient) -> None:
    answer = issuer.post(
        "/oauth/token", content="grant_type=password", headers=basic("search", SECRET)
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_a_json_body_is_415_problem(issuer: TestClient) -> None:
    answer = issuer.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert answer.status_code == 415
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_without_configured_clients_every_client_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/oauth/token", content="grant_type=client_credentials", headers=basic("search", SECRET)
    )
    assert answer.status_code == 401


def test_a_client_digest_must_be_sha256(settings: PolicySettings, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        PolicySettings(environment="test", oauth_clients={"search": "plain-secret"})
