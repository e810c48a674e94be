"""The bus proves itself to a NATS server that asks for a user and password, and
verifies a server's TLS certificate against the CA it is given."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from townhall_platform.bus import Bus, BusUnavailable, NatsCredentials
from townhall_platform.bus.testing import NatsServer
from townhall_platform.settings import ServiceSettings


def _connects(url: str, credentials: NatsCredentials | None) -> bool:
    async def attempt() -> bool:
        bus = Bus(url, name="credentials-test", credentials=credentials)
        try:
            await bus.connect()
        except BusUnavailable:
            return False
        connected = bus.connected
        await bus.close()
        return connected

    return asyncio.run(attempt())


def test_a_server_with_a_password_admits_only_who_gives_it(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats", extra_args=("--user", "search", "--pass", "s3cret-pw"))
    with server:
        assert _connects(server.url, NatsCredentials(user="search", password="s3cret-pw"))
        assert not _connects(server.url, NatsCredentials(user="search", password="wrong"))
        assert not _connects(server.url, None)


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    signer: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


def _write_tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 it signed: (ca, cert, key) files."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "townhall test CA")])
    ca = _certificate("townhall test CA", ca_key, ca_name, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("nats", server_key, ca_name, ca_key, ca=False)
    paths = directory / "ca.pem", directory / "server.pem", directory / "server-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def test_tls_is_verified_against_the_given_ca(tmp_path: Path) -> None:
    ca, cert, key = _write_tls_files(tmp_path / "tls")
    other_ca, _, _ = _write_tls_files(tmp_path / "other")
    args = ("--tls", "--tlscert", str(cert), "--tlskey", str(key), "--user", "u", "--pass", "p")
    with NatsServer(tmp_path / "nats", extra_args=args) as server:
        url = server.url.replace("nats://", "tls://")
        assert _connects(url, NatsCredentials(user="u", password="p", tls_ca_file=ca))
        assert not _connects(url, NatsCredentials(user="u", password="p", tls_ca_file=other_ca))


def test_the_settings_carry_the_credentials_and_refuse_half_of_them(tmp_path: Path) -> None:
    creds = tmp_path / "search.creds"
    options = NatsCredentials.of(ServiceSettings(nats_creds_file=creds)).connect_options()
    assert options == {"user_credentials": str(creds)}
    password = ServiceSettings(nats_user="search", nats_password="pw")
    assert NatsCredentials.of(password).connect_options() == {"user": "search", "password": "pw"}
    with pytest.raises(ValueError, match="go together"):
        ServiceSettings(nats_user="search")
    with pytest.raises(ValueError, match="not both"):
        ServiceSettings(nats_user="search", nats_password="pw", nats_creds_file=creds)
