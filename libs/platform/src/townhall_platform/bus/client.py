"""`Bus`: one NATS connection, its JetStream streams, publishing and consuming."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, PubAck, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from ..tracing import current_headers
from .consumer import ConsumerOptions, consume
from .message import BatchHandler, Handler
from .metrics import BusMetrics

if TYPE_CHECKING:
    from ..settings import ServiceSettings

_log = structlog.get_logger("townhall.bus")

# Where dead letters are kept, for an operator to look at and replay.
DEAD_LETTER_STREAM = "TOWNHALL_DEADLETTER"
DEAD_LETTER_SUBJECTS = ["townhall.deadletter.>"]
EXPECTED_LAST_MESSAGE_ID = "Nats-Expected-Last-Msg-Id"


class BusUnavailable(Exception):
    """NATS cannot be reached, or JetStream did not acknowledge in time."""


@dataclass
class StreamSpec:
    """A stream the bus makes sure exists, with its subjects."""

    name: str
    subjects: list[str]
    # Publishes carrying a message id already seen within this window are dropped.
    duplicate_window_seconds: float = 120.0
    max_age_seconds: float = 7 * 24 * 3600.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NatsCredentials:
    """How a service authenticates to NATS and verifies its TLS certificate."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    creds_file: Path | None = None
    tls_ca_file: Path | None = None

    @classmethod
    def of(cls, settings: ServiceSettings) -> NatsCredentials:
        password = settings.nats_password
        return cls(
            user=settings.nats_user,
            password=password.get_secret_value() if password is not None else None,
            creds_file=settings.nats_creds_file,
            tls_ca_file=settings.nats_tls_ca_file,
        )

    def connect_options(self) -> dict[str, Any]:
        """nats-py's `connect` keywords for these credentials."""
        options: dict[str, Any] = {}
        if self.user is not None:
            options.update(user=self.user, password=self.password)
        if self.creds_file is not None:
            options["user_credentials"] = str(self.creds_file)
        if self.tls_ca_file is not None:
            options["tls"] = ssl.create_default_context(cafile=str(self.tls_ca_file))
        return options


class Bus:
    """One connection to NATS; `replicas` is 1 for one server, 3 for a three-node cluster."""

    def __init__(
        self,
        url: str,
        *,
        name: str,
        replicas: int = 1,
        metrics: BusMetrics | None = None,
        connect_timeout: float = 2.0,
        credentials: NatsCredentials | None = None,
    ) -> None:
        self.url = url
        self.credentials = credentials or NatsCredentials()
        self.name = name
        self.replicas = replicas
        self.metrics = metrics
        self._connect_timeout = connect_timeout
        self._nc: NATS | None = None
        self._js: JetStreamContext | None = None

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise BusUnavailable(f"not connected to NATS at {self.url}")
        return self._js

    async def connect(self) -> None:
        """Connect once (`BusUnavailable` when NATS does not answer); once connected, the
        client reconnects by itself for as long as it lives, keeping what it buffered."""
        if self._nc is not None and not self._nc.is_closed:
            return
        try:
            # Bounded: a TLS handshake that fails verification is retried by the client
            # without end, where it must be a refusal like any other.
            self._nc = await asyncio.wait_for(self._open(), timeout=3 * self._connect_timeout)
        except Exception as exc:
            self._nc = None
            raise BusUnavailable(f"NATS at {self.url} did not answer: {exc!r}") from exc
        self._nc.options["max_reconnect_attempts"] = -1
        self._js = self._nc.jetstream()

    async def _open(self) -> NATS:
        return await nats.connect(
            # A cluster is named by its nodes, comma-separated.
            [server.strip() for server in self.url.split(",") if server.strip()],
            name=self.name,
            connect_timeout=self._connect_timeout,
            allow_reconnect=True,
            # A first connection that fails raises here (the client would retry it
            # forever with -1); once connected it reconnects forever, set below.
            max_reconnect_attempts=1,
            reconnect_time_wait=0.2,
            error_cb=_quietly,
            disconnected_cb=self._disconnected,
            reconnected_cb=self._reconnected,
            **self.credentials.connect_options(),
        )

    async def _disconnected(self) -> None:
        _log.warning("bus_disconnected", url=self.url)

    async def _reconnected(self) -> None:
        _log.info("bus_reconnected", url=self.url)

    async def ensure_streams(self, *specs: StreamSpec) -> None:
        """Create each stream, or bring its configuration up to date; the dead-letter
        stream always comes along."""
        wanted = [*specs, StreamSpec(DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS)]
        for spec in wanted:
            config = StreamConfig(
                name=spec.name,
                subjects=spec.subjects,
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                discard=DiscardPolicy.OLD,
                num_replicas=self.replicas,
                duplicate_window=spec.duplicate_window_seconds,
                max_age=spec.max_age_seconds,
                **spec.extra,
            )
            try:
                await self.js.stream_info(spec.name)
            except NotFoundError:
                await self.js.add_stream(config)
            else:
                await self.js.update_stream(config)

    async def publish(
        self,
        subject: str,
        data: bytes,
        *,
        message_id: str,
        headers: dict[str, str] | None = None,
        timeout: float = 5.0,
    ) -> bool:
        """Store `data` on `subject` once; False when the server had it already (the
        same `message_id` within the stream's duplicate window). `BusUnavailable` when
        JetStream did not acknowledge: the caller keeps the message and tries again."""
        # The current trace goes along, unless the caller set the headers for it.
        sent = {**current_headers(), **(headers or {}), "Nats-Msg-Id": message_id}
        try:
            ack = await self.js.publish(subject, data, timeout=timeout, headers=sent)
        except BusUnavailable:
            raise
        except Exception as exc:
            raise BusUnavailable(f"JetStream did not store {message_id}: {exc!r}") from exc
        return not ack.duplicate

    async def publish_pipelined(
        self,
        subject: str,
        data: bytes,
        *,
        message_id: str,
        after: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> asyncio.Future[PubAck]:
        """Send `data` without waiting: the answer is JetStream's acknowledgement to come.

        `after`, the message id sent just before on this connection, is a condition the
        server checks (`Nats-Expected-Last-Msg-Id`): if that message was not stored, this
        one is refused too, so messages in flight together are never stored out of order.
        """
        sent = {**current_headers(), **(headers or {}), "Nats-Msg-Id": message_id}
        if after is not None:
            sent[EXPECTED_LAST_MESSAGE_ID] = after
        try:
            return await self.js.publish_async(subject, data, headers=sent)
        except BusUnavailable:
            raise
        except Exception as exc:
            raise BusUnavailable(f"could not send {message_id}: {exc!r}") from exc

    async def run_consumer(
        self,
        durable_name: str,
        handler: Handler,
        *,
        subjects: Sequence[str],
        stream: str,
        options: ConsumerOptions | None = None,
        batch_handler: BatchHandler | None = None,
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        """Consume `subjects` of `stream` as the durable consumer `durable_name` until
        cancelled (see the package's doc); reconnects and resumes where it stopped.

        `batch_handler`, when given, gets each fetched batch at once (one index commit
        for many events); if it raises, the batch's messages go one by one through
        `handler`, so that one bad message is retried or dead-lettered alone. `on_idle`
        is called when a fetch found nothing: the consumer has caught up."""
        await consume(
            self,
            durable_name,
            handler,
            subjects=list(subjects),
            stream=stream,
            options=options or ConsumerOptions(),
            batch_handler=batch_handler,
            on_idle=on_idle,
        )

    async def close(self) -> None:
        """Flush what was published and close; the bus can connect again afterwards."""
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            try:
                await asyncio.wait_for(nc.drain(), timeout=5.0)
            except Exception:
                await nc.close()


async def _quietly(exc: Exception) -> None:
    # The client reports each failed reconnect here; the callbacks above log the state.
    _log.debug("bus_client_error", error=repr(exc))
