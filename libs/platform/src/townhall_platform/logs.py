"""structlog configuration and the request id carried on every log line."""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from contextvars import ContextVar
from typing import Any, TextIO

import structlog

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, to pass on to other services."""
    return request_id_var.get()


class _LogLines:
    """How many log lines could not be written, since the process started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.dropped = 0

    def drop(self) -> None:
        with self._lock:
            self.dropped += 1


_lines = _LogLines()


def dropped_log_lines() -> int:
    """Log lines lost because their file could not be written (a full disk, say)."""
    return _lines.dropped


class SurvivingPrintLogger(structlog.PrintLogger):
    """structlog's `PrintLogger`, except that a line it cannot write is dropped and
    counted instead of raising into whoever logged: on a full disk a request or a
    background worker goes on, and the loss shows in the metrics."""

    def msg(self, message: str) -> None:
        try:
            super().msg(message)
        except (OSError, ValueError):
            _lines.drop()

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


class SurvivingPrintLoggerFactory:
    """`structlog.PrintLoggerFactory` producing `SurvivingPrintLogger`s.

    Without a file, each logger writes to `sys.stderr` as it is when the logger is made,
    not as it was when logging was configured: a command run under a runner that swaps
    stderr for a while (click's, pytest's) leaves no logger bound to a closed stream.
    """

    def __init__(self, file: TextIO | None = None) -> None:
        self._file = file

    def __call__(self, *args: Any) -> SurvivingPrintLogger:
        return SurvivingPrintLogger(self._file if self._file is not None else sys.stderr)


def configure_logging(*, service: str, json: bool, level: str = "INFO") -> None:
    """JSON lines in production, readable lines in development; both carry request_id."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    _route_standard_logging(renderer, level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=SurvivingPrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


# Libraries that log every HTTP call they make at INFO: their failures still show.
_CHATTY_LOGGERS = ("httpx", "httpcore", "opensearch", "urllib3")


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to `sys.stderr` as it is at each line (see `SurvivingPrintLoggerFactory`),
    counting a line it cannot write instead of printing a traceback."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass

    def handleError(self, record: logging.LogRecord) -> None:
        _lines.drop()


def _route_standard_logging(renderer: structlog.typing.Processor, level: str) -> None:
    """Lines of the standard library's loggers (uvicorn's access and error lines,
    SQLAlchemy, Alembic, opensearch-py) rendered as structlog's, request id included:
    uvicorn writes its access line while the request's context is still bound."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    root = logging.getLogger()
    # Replace our own handler of an earlier call; keep others' (pytest's capture).
    root.handlers = [h for h in root.handlers if not isinstance(h, _StderrHandler)]
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own configuration gives these their own handlers and levels; ours
        # render them, at the service's level (the root's), as every other logger.
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
        uvicorn_logger.disabled = False
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def accept_request_id(incoming: str | None) -> str:
    """The caller's request id when it is sane, else a fresh one."""
    if incoming and len(incoming) <= 128 and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex
