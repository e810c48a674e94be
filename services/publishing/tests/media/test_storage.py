"""The media store's one interface on a directory and on an S3-compatible bucket.

The bucket is moto's S3 server, a real HTTP server on this machine that boto3 talks to
as to AWS. What it cannot prove about a real S3 (or MinIO, Ceph): moto checks no
signature or permission (a bucket refusing anonymous reads, IAM policies, credentials
from an instance role), nor server-side encryption, throttling (503 SlowDown) or real
latency; docs/operations.md says what to check on the real bucket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from townhall_publishing.media.storage import (
    BlobNotFound,
    BlobStore,
    FileBlobStore,
    S3BlobStore,
    blob_store,
)

BUCKET = "townhall-media-test"


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # boto3's own chain reads them, as it would in production.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")


@pytest.fixture
def bucket(s3_url: str, aws_credentials: None) -> str:
    client = boto3.client("s3", endpoint_url=s3_url, region_name="eu-west-3")
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
    return BUCKET


@pytest.fixture(params=["filesystem", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "filesystem":
        return FileBlobStore(tmp_path / "media")
    s3_url = request.getfixturevalue("s3_url")
    request.getfixturevalue("bucket")
    client = boto3.client("s3", endpoint_url=s3_url, region_name="eu-west-3")
    return S3BlobStore(client, bucket=BUCKET, prefix=f"t-{tmp_path.name}/")


def test_bytes_put_are_read_back_and_deleted(store: BlobStore) -> None:
    store.put("post-1/media-1", b"\x00\x01 bytes", content_type="application/pdf")

    assert store.get("post-1/media-1") == b"\x00\x01 bytes"
    store.put("post-1/media-1", b"replaced", content_type="application/pdf")
    assert store.get("post-1/media-1") == b"replaced"
    store.delete("post-1/media-1")
    with pytest.raises(BlobNotFound):
        store.get("post-1/media-1")
    store.delete("post-1/media-1")  # deleting what is gone is no error


def test_a_key_never_leaves_the_media_directory(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "media")

    with pytest.raises(ValueError):
        store.put("../outside", b"x", content_type="image/png")
    assert not (tmp_path / "outside").exists()


def test_the_settings_choose_the_store(settings: Any, s3_url: str, bucket: str) -> None:
    chosen = blob_store(
        settings.model_copy(
            update={"media_backend": "s3", "s3_bucket": bucket, "s3_endpoint_url": s3_url}
        )
    )

    assert isinstance(chosen, S3BlobStore)
    assert isinstance(blob_store(settings), FileBlobStore)


@pytest.mark.anyio
async def test_publishing_on_a_bucket_serves_what_it_stored_to_readers_only(
    make_app: Callable[..., Any],
    settings: Any,
    serve: Any,
    auth: Callable[[str], dict[str, str]],
    s3_url: str,
    bucket: str,
    sample_files: Any,
) -> None:
    on_s3 = settings.model_copy(
        update={
            "media_backend": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": s3_url,
            "s3_prefix": "townhall/",
        }
    )
    pdf = sample_files.pdf("Sur le seau")
    async with serve(make_app(on_s3)) as client:
        created = await client.post(
            "/v1/posts",
            json={"space_id": "engineering", "kind": "social", "title": "S3", "body": "Seau"},
            headers=auth("alice"),
        )
        post_id = created.json()["id"]
        attached = await client.post(
            f"/v1/posts/{post_id}/media",
            files={"file": ("seau.pdf", pdf, "application/pdf")},
            headers=auth("alice"),
        )
        media_id = attached.json()["id"]
        read = await client.get(f"/v1/posts/{post_id}/media/{media_id}", headers=auth("bob"))
        outsider = await client.get(f"/v1/posts/{post_id}/media/{media_id}", headers=auth("zoe"))

    assert attached.status_code == 201, attached.text
    assert read.content == pdf
    assert outsider.status_code == 404
    objects = boto3.client("s3", endpoint_url=s3_url).list_objects_v2(
        Bucket=bucket, Prefix=f"townhall/{post_id}/"
    )
    assert [o["Key"] for o in objects["Contents"]] == [f"townhall/{post_id}/{media_id}"]
