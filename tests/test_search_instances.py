"""Three search instances on one OpenSearch-compatible index, rebuilt concurrently
while posts and edits flow through all of them (issue 19), with real processes.

Policy and publishing run on PostgreSQL; three `townhall-search serve` processes share
one index on osmem-server; publishing's relay reaches them through a round-robin
proxy (what a Kubernetes Service does), so every instance applies events. Reindexes
are asked of different instances at once, twice, while posts are written and edited.

Before (issue 19): events applied by an instance that did not run the rebuild went
into the deleted old index (recreated with a dynamic mapping) and were never
findable, two rebuilds 0.3 s apart deleted the whole index. Now: every post is
findable exactly once, in its last version, on every instance, and no request
failed other than with a 503.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from osmem_server import OsmemServer

from townhall.launcher import ServiceSpec
from townhall_platform.testing import EVENTUALLY_SECONDS, STARTUP_WAIT_SECONDS, free_port

# Starting five services and osmem on a loaded machine takes minutes.
pytestmark = [pytest.mark.postgresql_only, pytest.mark.timeout(1500)]

INSTANCES = 3
WRITERS = 3
POSTS_PER_WRITER = 8
REINDEX = "/internal/v1/index/reindex"


class RoundRobin:
    """A reverse proxy handing each request to the next search instance, recording
    every answer's status (the load balancer in front of the instances)."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        # Filled once the instances run; until then the proxy answers 503.
        self.upstreams: list[str] = []
        turn = itertools.count()
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    upstreams = list(proxy.upstreams)
                    number = next(turn)
                if not upstreams:
                    self._answer(503, b"{}")
                    return
                upstream = upstreams[number % len(upstreams)]
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                try:
                    answer = httpx.post(
                        upstream + self.path, content=body, headers=headers, timeout=60.0
                    )
                    status, content = answer.status_code, answer.content
                except httpx.HTTPError:
                    status, content = 502, b"{}"
                with lock:
                    proxy.statuses[status] += 1
                self._answer(status, content)

            def _answer(self, status: int, content: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def cluster(backend, tmp_path_factory, signing_key_file, token_issuer, start_system) -> Iterator:
    """The system with three search instances on osmem behind a round-robin proxy."""
    state: Path = tmp_path_factory.mktemp("instances")
    with ExitStack() as stack:
        osmem = OsmemServer.start(japanese=False)
        stack.callback(osmem.close)
        proxy = RoundRobin()
        stack.callback(proxy.close)
        # Publishing's relay reaches search through the proxy (503 until the instances
        # run: publishing stays ready meanwhile, however long they take to start).
        relay_to_proxy = {
            "TOWNHALL_PUBLISHING_SEARCH_URL": proxy.url,
            "TOWNHALL_PUBLISHING_RELAY_MAX_LAG_SECONDS": "3600",
        }
        system = stack.enter_context(
            start_system(
                backend, state, signing_key_file, token_issuer, publishing_env=relay_to_proxy
            )
        )
        first = system.services["search"]
        first.stop()
        first.env.update(
            {
                "TOWNHALL_SEARCH_BACKEND": "opensearch",
                "TOWNHALL_SEARCH_OPENSEARCH_URL": osmem.url,
                "TOWNHALL_SEARCH_OPENSEARCH_INDEX": f"townhall-it-{uuid.uuid4().hex[:8]}",
                "TOWNHALL_SEARCH_OPENSEARCH_REPLICAS": "0",
                "TOWNHALL_SEARCH_INDEX_CHECK_SECONDS": "2",
            }
        )
        instances = [first]
        for n in range(1, INSTANCES):
            spec = ServiceSpec("search", free_port())
            env = {**first.env, "TOWNHALL_SEARCH_PORT": str(spec.port)}
            instances.append(replace(first, spec=spec, env=env, log_path=state / f"search{n}.log"))
        _start_together(instances)
        for instance in instances:
            stack.callback(instance.stop)
        proxy.upstreams = [instance.url for instance in instances]
        yield system, instances, proxy


def _start_together(instances: list) -> None:
    """Start the instances at once, each given generous time (the machine may be loaded)."""
    failures: list[BaseException] = []

    def start(instance) -> None:
        try:
            instance.start(timeout=STARTUP_WAIT_SECONDS * 4)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(instance,)) for instance in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        for instance in instances:
            instance.stop()
        raise failures[0]


def _write_and_edit(system, tag: str, writer: int, posts: dict[str, str], failures: list) -> None:
    client = system.as_user("publishing", "alice")
    for n in range(POSTS_PER_WRITER):
        word = f"{tag}w{writer}n{n}"
        created = client.post(
            "/v1/posts",
            json={"space_id": "engineering", "kind": "social", "title": word, "body": tag},
        )
        if created.status_code != 201:
            failures.append(("create", created.status_code, created.text[:200]))
            continue
        post_id = str(created.json()["id"])
        edited = client.patch(f"/v1/posts/{post_id}", json={"title": f"{word} edited"})
        if edited.status_code != 200:
            failures.append(("edit", edited.status_code, edited.text[:200]))
        posts[post_id] = word


def _search_everywhere(system, instances, tag: str, stop: threading.Event, statuses: Counter):
    token = system.token("bob")
    while not stop.is_set():
        for instance in instances:
            answer = httpx.get(
                f"{instance.url}/v1/search",
                params={"q": tag},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30.0,
            )
            statuses[answer.status_code] += 1


def _reindex_everywhere(system, instances) -> Counter[int]:
    """Ask every instance for a rebuild at once; the answers' statuses."""
    token = system.issuer.service_token("search")
    answers: Counter[int] = Counter()
    barrier = threading.Barrier(len(instances))

    def ask(url: str) -> None:
        barrier.wait()
        answer = httpx.post(url + REINDEX, headers={"Authorization": f"Bearer {token}"})
        answers[answer.status_code] += 1

    threads = [threading.Thread(target=ask, args=(i.url,)) for i in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def _wait_for_rebuilds(system, instances) -> None:
    token = system.issuer.service_token("search")
    deadline = time.monotonic() + EVENTUALLY_SECONDS * 6
    for instance in instances:
        while True:
            state = httpx.get(
                instance.url + REINDEX, headers={"Authorization": f"Bearer {token}"}
            ).json()["state"]
            if state != "running":
                assert state in ("idle", "succeeded"), f"a rebuild on {instance.url} ended {state}"
                break
            assert time.monotonic() < deadline, "a rebuild never finished"
            time.sleep(0.2)


def test_concurrent_rebuilds_on_several_instances_lose_nothing(cluster) -> None:
    system, instances, proxy = cluster
    tag = "zi" + uuid.uuid4().hex[:8]
    posts: dict[str, str] = {}
    failures: list = []
    searches: Counter[int] = Counter()
    stop = threading.Event()
    writers = [
        threading.Thread(target=_write_and_edit, args=(system, tag, w, posts, failures))
        for w in range(WRITERS)
    ]
    reader = threading.Thread(
        target=_search_everywhere, args=(system, instances, tag, stop, searches)
    )
    reader.start()
    for writer in writers:
        writer.start()
    rounds = [_reindex_everywhere(system, instances)]
    _wait_for_rebuilds(system, instances)
    rounds.append(_reindex_everywhere(system, instances))
    for writer in writers:
        writer.join(300)
    _wait_for_rebuilds(system, instances)
    stop.set()
    reader.join(60)

    assert failures == []
    assert len(posts) == WRITERS * POSTS_PER_WRITER
    for answers in rounds:
        # One rebuild at a time: one instance starts it, the others are told one runs
        # (all of them, when an instance's own check had just started one).
        assert answers[202] <= 1 and answers[202] + answers[409] == INSTANCES, answers
    assert sum(answers[202] for answers in rounds) >= 1, rounds
    assert set(searches) <= {200, 503}, searches
    assert set(proxy.statuses) <= {200, 503}, proxy.statuses
    _assert_each_post_found_once(system, instances, tag, posts)


def _assert_each_post_found_once(system, instances, tag: str, posts: dict[str, str]) -> None:
    """Every post on every instance: once, in its edited version, and nothing else."""
    token = system.token("bob")
    want = {post_id: f"{word} edited" for post_id, word in posts.items()}
    deadline = time.monotonic() + EVENTUALLY_SECONDS * 3
    for instance in instances:
        while True:
            found = httpx.get(
                f"{instance.url}/v1/search",
                params={"q": tag, "limit": 100},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30.0,
            ).json()
            ids = [hit["id"] for hit in found.get("hits", [])]
            titles = {hit["id"]: hit["title"] for hit in found.get("hits", [])}
            if found.get("total") == len(want) and sorted(ids) == sorted(want) and titles == want:
                break
            assert time.monotonic() < deadline, f"{instance.url}: {found.get('total')} {titles}"
            time.sleep(0.2)
