"""Static files with content-hashed URLs: `static_url("portal.css")` names the file with a
digest of its content, so browsers keep it a year without asking again, and a new release
(a new digest, a new URL) is fetched at once. A URL without the current digest is
revalidated every time (its ETag makes that a 304)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@cache
def digest(name: str) -> str:
    """A short digest of a static file's content (read once per process)."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={digest(name)}"


class CachedStaticFiles(StaticFiles):
    """StaticFiles that says how long a browser may keep what it answers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            asked = scope.get("query_string", b"").decode("latin-1")
            current = f"v={digest(path)}" if (STATIC / path).is_file() else None
            response.headers["Cache-Control"] = FOREVER if asked == current else REVALIDATE
        return response
