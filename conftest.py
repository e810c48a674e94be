"""Fixtures shared by every test suite in the workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.testing import postgres_available, temporary_postgres_database

_POSTGRES = postgres_available()
BACKENDS = ["sqlite", "postgresql"] if _POSTGRES else ["sqlite"]


def pytest_report_header() -> str:
    return f"townhall database backends: {', '.join(BACKENDS)}"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    # pytest-randomly shuffles the tests (and seeds `random`) by default; its seed is only in
    # the header, which -q hides: repeat it last, where a failure is read, to reproduce it.
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(
            f"tests ran in shuffled order; reproduce with: -p randomly --randomly-seed={seed}"
        )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # PostgreSQL joins SQLite whenever it answers; when it does not, the PostgreSQL
    # cases are not generated at all rather than skipped (CI makes sure it answers).
    if "backend" in metafunc.fixturenames:
        # A module marked `one_backend` tests something with no database of its own (the
        # portal): the services' own tests already cover both backends.
        # One marked `postgresql_only` tests what only a production database serves.
        backends = list(BACKENDS)
        if metafunc.definition.get_closest_marker("one_backend") is not None:
            backends = backends[:1]
        if metafunc.definition.get_closest_marker("postgresql_only") is not None:
            backends = [b for b in backends if b == "postgresql"]
        metafunc.parametrize("backend", backends, scope="module")


@pytest.fixture(scope="module")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database on the backend under test, one per test module."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        with temporary_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "signing-key.pem"
    ensure_signing_key(path)
    return path


@pytest.fixture(scope="session")
def token_issuer(signing_key_file: Path) -> TokenIssuer:
    """Mints tokens the services under test accept (default issuer and audiences)."""
    return TokenIssuer(
        ensure_signing_key(signing_key_file),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )


# Values a client can send that once reached code unprepared for them (issue 14, case 11):
# instants outside what `datetime`/UTC conversion/the databases hold, integers beyond
# 64 bits, NUL and other control characters, path tricks.
ODD_VALUES = [
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+14:00",
    "1969-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01",
    str(2**63),
    str(2**63 - 1),
    str(-(2**63) - 1),
    str(10**40),
    "-1",
    "1e308",
    "NaN",
    "\x00",
    "a\x00b",
    "..",
    "../x",
    "%",
    "\u202e",
    " ",
    "",
]


def _value_strategy() -> Any:
    from hypothesis import strategies as st

    return st.one_of(
        st.sampled_from(ODD_VALUES),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.datetimes(
            min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
        ).map(lambda value: value.isoformat()),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    )


def _operations(openapi: dict[str, Any], prefixes: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(path, operation) of every documented GET under `prefixes`."""
    return [
        (path, operations["get"])
        for path, operations in sorted(openapi["paths"].items())
        if path.startswith(prefixes) and "get" in operations
    ]


@pytest.fixture(scope="session")
def assert_no_server_errors() -> Callable[..., None]:
    """Fuzz every GET operation's query and path parameters: no answer may be a 5xx.

    `send(path, params)` performs one request and returns its status; the path comes
    with its parameters already percent-encoded.
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    def check(
        openapi: dict[str, Any],
        send: Callable[[str, dict[str, str]], int],
        *,
        prefixes: tuple[str, ...] = ("/v1/",),
        examples: int = 40,
    ) -> None:
        operations = _operations(openapi, prefixes)
        assert operations, f"no GET operation under {prefixes}"
        for path, operation in operations:
            parameters = operation.get("parameters", [])
            in_path = [p["name"] for p in parameters if p["in"] == "path"]
            in_query = [p["name"] for p in parameters if p["in"] == "query"]
            values = _value_strategy()
            request = st.tuples(
                st.fixed_dictionaries({name: values for name in in_path}),
                st.dictionaries(st.sampled_from(in_query), values) if in_query else st.just({}),
            )

            def case(template: str) -> Callable[[tuple[dict[str, str], dict[str, str]]], None]:
                def no_5xx(asked: tuple[dict[str, str], dict[str, str]]) -> None:
                    path_values, query = asked
                    url = template
                    for name, value in path_values.items():
                        url = url.replace("{" + name + "}", quote(value, safe="") or "x")
                    status = send(url, query)
                    assert status < 500, (url, query, status)

                return no_5xx

            settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )(given(request)(case(path)))()

    return check


class SampleFiles:
    """Files made on the spot for the attachment tests: a PDF and a DOCX holding given
    words, images with metadata to strip."""

    @staticmethod
    def pdf(text: str) -> bytes:
        """A one-page PDF whose text layer says `text` (ASCII), as a text editor writes it."""
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode()
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        out = bytearray(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    @staticmethod
    def docx(text: str) -> bytes:
        import io

        import docx

        document = docx.Document()
        document.add_paragraph(text)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    @staticmethod
    def jpeg(width: int = 3000, height: int = 1500, *, orientation: int = 1) -> bytes:
        """A JPEG carrying a camera's EXIF (maker, a description, an orientation)."""
        import io

        from PIL import Image, ImageDraw

        # A whiteboard: a few coloured strokes on white.
        image = Image.new("RGB", (width, height), (250, 250, 248))
        draw = ImageDraw.Draw(image)
        stroke = max(2, width // 150)
        for row, colour in enumerate(((30, 90, 200), (200, 40, 40), (20, 140, 70))):
            top = height * (row + 1) // 5
            draw.line([(width // 10, top), (width * 7 // 10, top + height // 12)], colour, stroke)
            draw.rectangle(
                [width * 3 // 4, top - height // 20, width * 9 // 10, top + height // 20],
                outline=colour,
                width=stroke,
            )
        exif = Image.Exif()
        exif[0x010F] = "Townhall Camera"  # Make
        exif[0x010E] = "secret location"  # ImageDescription
        exif[0x0112] = orientation  # Orientation
        out = io.BytesIO()
        image.save(out, format="JPEG", exif=exif.tobytes())
        return out.getvalue()

    @staticmethod
    def png(width: int = 64, height: int = 48) -> bytes:
        """A PNG with a text chunk (metadata a re-encoding drops)."""
        import io

        from PIL import Image, PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "written by a test")
        out = io.BytesIO()
        Image.new("RGBA", (width, height), (0, 120, 200, 255)).save(out, "PNG", pnginfo=info)
        return out.getvalue()


@pytest.fixture(scope="session")
def sample_files() -> type[SampleFiles]:
    return SampleFiles
