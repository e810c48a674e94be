"""Where the bytes of attachments live: one interface, a directory or an S3 bucket.

The database row of an attachment is the only way to its bytes: keys are random and
no store is ever exposed to browsers (publishing serves the bytes under the post's
readers rule). Bytes are written before the row's transaction commits: a transaction
that then fails leaves an unreferenced object, never a row without its bytes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..settings import PublishingSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class BlobNotFound(LookupError):
    """No object under that key."""


class BlobStore(Protocol):
    """Keeps bytes under keys (`<post id>/<media id>`)."""

    def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class FileBlobStore:
    """A directory (the embedded default, `var/media`): one file per key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"key {key!r} leaves the media directory")
        return path

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3BlobStore:
    """A bucket of an S3-compatible store (production), through boto3."""

    def __init__(self, client: S3Client, *, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except self.client.exceptions.NoSuchKey as exc:
            raise BlobNotFound(key) from exc
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def blob_store(settings: PublishingSettings) -> BlobStore:
    """The media store the settings name."""
    if settings.media_backend == "s3":
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=Config(
                connect_timeout=settings.http_timeout_seconds,
                read_timeout=settings.http_timeout_seconds,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )
        return S3BlobStore(client, bucket=settings.s3_bucket, prefix=settings.s3_prefix)
    return FileBlobStore(settings.media_dir)
