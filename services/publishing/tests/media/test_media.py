"""Attachments: images cleaned by Pillow, documents with their text for search, bytes
served under the post's readers rule, and every refusal writing nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
PROBLEM = "application/problem+json"


async def new_post(
    client: httpx.AsyncClient, auth: Auth, user: str = "alice", **fields: Any
) -> str:
    body = {"space_id": "engineering", "kind": "social", "title": "Avec pièces", "body": "Voir."}
    body.update(fields)
    response = await client.post("/v1/posts", json=body, headers=auth(user))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def attach(
    client: httpx.AsyncClient,
    auth: Auth,
    post_id: str,
    name: str,
    data: bytes,
    *,
    user: str = "alice",
    declared: str = "application/octet-stream",
    description: str = "",
) -> httpx.Response:
    return await client.post(
        f"/v1/posts/{post_id}/media",
        files={"file": (name, data, declared)},
        data={"description": description},
        headers=auth(user),
    )


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.media_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def latest_document(db: Any, post_id: str) -> dict[str, Any]:
    rows = db.rows("SELECT data FROM outbox WHERE doc_id = :id ORDER BY id DESC", id=post_id)
    document: dict[str, Any] = db.document(rows[0]["data"])
    return document


async def test_an_image_is_resized_turned_upright_and_stripped_of_its_metadata(
    client: httpx.AsyncClient, auth: Auth, db: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    # A camera's portrait photo: stored landscape, with "turn 90°" in its EXIF.
    photo = sample_files.jpeg(3000, 1500, orientation=6)

    response = await attach(
        client, auth, post_id, "IMG_0001.JPG", photo, description="Le tableau blanc"
    )

    assert response.status_code == 201, response.text
    media = response.json()
    assert response.headers["location"] == f"/v1/posts/{post_id}/media/{media['id']}"
    assert (media["kind"], media["content_type"]) == ("image", "image/jpeg")
    assert (media["width"], media["height"]) == (1024, 2048)
    assert media["description"] == "Le tableau blanc"
    served = await client.get(f"/v1/posts/{post_id}/media/{media['id']}", headers=auth("bob"))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"].startswith("private")
    assert served.headers["content-disposition"].startswith("inline;")
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (1024, 2048)
        assert not image.getexif()
        assert "exif" not in image.info
    assert len(served.content) == media["size"]
    post = (await client.get(f"/v1/posts/{post_id}", headers=auth("bob"))).json()
    assert [m["id"] for m in post["media"]] == [media["id"]]
    [step] = db.rows(
        "SELECT step, action, note FROM post_steps WHERE post_id = :id AND step = 'attach'",
        id=post_id,
    )
    assert (step["action"], step["note"]) == ("post.social", "IMG_0001.JPG")


async def test_a_png_keeps_its_transparency_and_loses_its_text_chunks(
    client: httpx.AsyncClient, auth: Auth, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    media = (await attach(client, auth, post_id, "schema.png", sample_files.png())).json()

    served = await client.get(f"/v1/posts/{post_id}/media/{media['id']}", headers=auth("alice"))

    with Image.open(io.BytesIO(served.content)) as image:
        assert image.mode == "RGBA"
        assert "Comment" not in image.info


async def test_a_pdf_is_kept_as_sent_and_its_text_goes_to_search_with_the_post(
    client: httpx.AsyncClient, auth: Auth, db: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    pdf = sample_files.pdf("Quarterly zeppelin inventory")

    response = await attach(client, auth, post_id, "rapport.pdf", pdf)

    assert response.status_code == 201, response.text
    media = response.json()
    assert (media["kind"], media["content_type"], media["has_text"]) == (
        "document",
        "application/pdf",
        True,
    )
    served = await client.get(f"/v1/posts/{post_id}/media/{media['id']}", headers=auth("bob"))
    assert served.content == pdf
    assert served.headers["content-disposition"] == (
        "attachment; filename=\"rapport.pdf\"; filename*=UTF-8''rapport.pdf"
    )
    assert "Quarterly zeppelin inventory" in latest_document(db, post_id)["attachment_text"]
    again = await client.get(
        f"/v1/posts/{post_id}/media/{media['id']}",
        headers=auth("bob") | {"If-None-Match": served.headers["etag"]},
    )
    assert again.status_code == 304


async def test_a_docx_gives_its_text_to_search(
    client: httpx.AsyncClient, auth: Auth, db: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)

    response = await attach(client, auth, post_id, "notes.docx", sample_files.docx("Mot rare"))

    assert response.status_code == 201, response.text
    assert "Mot rare" in latest_document(db, post_id)["attachment_text"]


async def test_the_type_comes_from_the_bytes_not_the_name_nor_the_declared_type(
    client: httpx.AsyncClient, auth: Auth, db: Any, settings: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    before = db.counts()
    files_before = stored_files(settings)

    page = b"<html><script>alert(1)</script></html>"
    lying = await attach(client, auth, post_id, "photo.png", page, declared="image/png")
    archive = await attach(client, auth, post_id, "doc.pdf", b"PK\x03\x04" + b"\0" * 100)
    # A PDF named like an image is a PDF, whatever its name says.
    pdf = await attach(client, auth, post_id, "photo.jpg", sample_files.pdf("x"))

    assert lying.status_code == 415
    assert lying.headers["content-type"] == PROBLEM
    assert lying.json()["type"].endswith("/media-type-refused")
    assert archive.status_code in (415, 422)
    assert pdf.status_code == 201
    assert pdf.json()["content_type"] == "application/pdf"
    counts = db.counts()
    assert counts["posts"] == before["posts"]
    assert db.count("post_media", "post_id = :id", id=post_id) == 1
    assert len(stored_files(settings)) == len(files_before) + 1


async def test_broken_files_are_refused_and_write_nothing(
    client: httpx.AsyncClient, auth: Auth, db: Any, settings: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    before = db.count("post_steps", "post_id = :id", id=post_id)

    pdf = await attach(client, auth, post_id, "a.pdf", b"%PDF-1.4\n garbage, no objects")
    truncated = sample_files.jpeg(100, 100)[:200]
    image = await attach(client, auth, post_id, "a.jpg", truncated)

    assert pdf.status_code == 422, pdf.text
    assert pdf.json()["type"].endswith("/unreadable-media")
    assert image.status_code == 422, image.text
    assert db.count("post_media", "post_id = :id", id=post_id) == 0
    assert db.count("post_steps", "post_id = :id", id=post_id) == before
    assert stored_files(settings) == []


async def test_limits_from_the_settings(
    make_app: Callable[..., Any], settings: Any, serve: Any, auth: Auth, db: Any, sample_files: Any
) -> None:
    small = settings.model_copy(
        update={"media_max_bytes": 5_000, "image_max_pixels": 10_000, "media_per_post": 1}
    )
    async with serve(make_app(small)) as client:
        post_id = await new_post(client, auth)

        too_big = await attach(client, auth, post_id, "big.pdf", sample_files.pdf("x" * 6_000))
        # Far past the upload's form allowance: refused before it is read.
        huge = await attach(client, auth, post_id, "huge.pdf", b"%PDF" + b"0" * 200_000)
        too_many_pixels = await attach(
            client, auth, post_id, "wide.png", sample_files.png(200, 100)
        )
        first = await attach(client, auth, post_id, "one.png", sample_files.png(20, 20))
        second = await attach(client, auth, post_id, "two.png", sample_files.png(20, 20))

    assert too_big.status_code == 413
    assert too_big.json()["type"].endswith("/media-too-large")
    assert huge.status_code == 413
    assert too_many_pixels.status_code == 422
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["type"].endswith("/too-many-media")
    assert db.count("post_media", "post_id = :id", id=post_id) == 1


async def test_only_readers_of_the_post_get_its_media_and_others_are_told_nothing(
    client: httpx.AsyncClient, auth: Auth, sample_files: Any
) -> None:
    # projet-phoenix is restricted to alice, bob and zoe: david may not read its posts.
    post_id = await new_post(client, auth, space_id="projet-phoenix")
    media = (await attach(client, auth, post_id, "plan.pdf", sample_files.pdf("plan"))).json()
    url = f"/v1/posts/{post_id}/media/{media['id']}"

    assert (await client.get(url, headers=auth("bob"))).status_code == 200
    for outsider in ("david", "chloe"):
        bytes_ = await client.get(url, headers=auth(outsider))
        listing = await client.get(f"/v1/posts/{post_id}/media", headers=auth(outsider))
        upload = await attach(client, auth, post_id, "x.png", sample_files.png(), user=outsider)
        removal = await client.delete(url, headers=auth(outsider))
        for response in (bytes_, listing, upload, removal):
            assert response.status_code == 404, (outsider, response.text)
            assert response.json()["type"].endswith("/post-not-found")
    assert (await client.get(url)).status_code == 401


async def test_unknown_posts_and_media_are_404(
    client: httpx.AsyncClient, auth: Auth, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    unknown_post = await attach(client, auth, "no-such-post", "a.png", sample_files.png())
    unknown_media = await client.get(f"/v1/posts/{post_id}/media/nope", headers=auth("alice"))

    assert unknown_post.status_code == 404
    assert unknown_media.status_code == 404
    assert unknown_media.json()["type"].endswith("/media-not-found")


async def test_only_the_author_adds_or_removes_media(
    client: httpx.AsyncClient, auth: Auth, db: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    media = (await attach(client, auth, post_id, "a.png", sample_files.png())).json()
    url = f"/v1/posts/{post_id}/media/{media['id']}"

    # bob reads the post, and may not change it.
    added = await attach(client, auth, post_id, "b.png", sample_files.png(), user="bob")
    removed = await client.delete(url, headers=auth("bob"))

    assert added.status_code == removed.status_code == 403
    assert added.json()["type"].endswith("/not-author")
    assert db.count("post_media", "post_id = :id AND deleted_at IS NULL", id=post_id) == 1


async def test_removing_an_attachment_takes_it_from_readers_and_search(
    client: httpx.AsyncClient, auth: Auth, db: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    pdf = sample_files.pdf("Vanishing words")
    media = (await attach(client, auth, post_id, "a.pdf", pdf)).json()
    url = f"/v1/posts/{post_id}/media/{media['id']}"

    removed = await client.delete(url, headers=auth("alice"))

    assert removed.status_code == 204
    assert (await client.get(url, headers=auth("alice"))).status_code == 404
    listing = await client.get(f"/v1/posts/{post_id}/media", headers=auth("alice"))
    assert listing.json() == {"items": []}
    assert latest_document(db, post_id)["attachment_text"] == ""
    # Kept for the record, as a deleted post is.
    assert db.count("post_media", "id = :id AND deleted_at IS NOT NULL", id=media["id"]) == 1
    again = await client.delete(url, headers=auth("alice"))
    assert again.status_code == 404


async def test_a_submitted_official_post_takes_no_new_attachment(
    client: httpx.AsyncClient, auth: Auth, sample_files: Any
) -> None:
    post_id = await new_post(
        client, auth, "claire", space_id="general", kind="official", title="Note", body="Texte"
    )
    draft = await attach(client, auth, post_id, "a.pdf", sample_files.pdf("x"), user="claire")
    submitted = await client.post(f"/v1/posts/{post_id}/submit", json={}, headers=auth("claire"))
    assert submitted.status_code == 200, submitted.text

    late = await attach(client, auth, post_id, "b.pdf", sample_files.pdf("y"), user="claire")

    assert draft.status_code == 201
    assert late.status_code == 409
    assert late.json()["type"].endswith("/invalid-transition")


async def test_policy_down_writes_nothing(
    client: httpx.AsyncClient, auth: Auth, db: Any, policy: Any, settings: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    policy.available = False
    try:
        response = await attach(client, auth, post_id, "a.png", sample_files.png())
    finally:
        policy.available = True

    assert response.status_code == 503
    assert db.count("post_media", "post_id = :id", id=post_id) == 0
    assert stored_files(settings) == []


async def test_a_file_keeps_only_the_last_part_of_its_name_as_sent(
    client: httpx.AsyncClient, auth: Auth, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)

    response = await attach(client, auth, post_id, "../../secret/été 2.pdf", sample_files.pdf("x"))

    assert response.status_code == 201, response.text
    media = response.json()
    assert media["filename"] == "été 2.pdf"
    served = await client.get(f"/v1/posts/{post_id}/media/{media['id']}", headers=auth("alice"))
    assert "filename*=UTF-8''%C3%A9t%C3%A9%202.pdf" in served.headers["content-disposition"]


async def test_a_rebuild_of_search_gets_the_attachment_text_too(
    client: httpx.AsyncClient, auth: Auth, token_issuer: Any, sample_files: Any
) -> None:
    post_id = await new_post(client, auth)
    await attach(client, auth, post_id, "a.pdf", sample_files.pdf("Exported words"))
    search = {"Authorization": f"Bearer {token_issuer.service_token('search')}"}

    documents: list[dict[str, Any]] = []
    after = None
    while True:
        params = {"limit": 500} | ({"after": after} if after else {})
        page = (
            await client.get("/internal/v1/export/documents", params=params, headers=search)
        ).json()
        documents += [d["document"] for d in page["documents"]]
        after = page["next_after"]
        if after is None:
            break

    [exported] = [d for d in documents if d["id"] == post_id]
    assert "Exported words" in exported["attachment_text"]
