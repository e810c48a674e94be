"""Profiles of the services under the bench's load, with py-spy (sampling, out of process).

With `TOWNHALL_BENCH_PROFILE_DIR` set, each measured step of the publishing benchmark
records every service process (and its workers) for the step's duration into
`<dir>/<step>--<process>.txt`, as collapsed stacks (one line a stack, then its count of
samples). A sample is taken only while a thread runs Python (py-spy leaves idle threads
out), so the shares read as shares of CPU, whatever else loads the machine.

`python -m bench.profiling FILE [--top N] [--match TEXT]` prints the functions with the
most samples, inclusive (on the stack) and exclusive (at its top). py-spy is a tool, not
a dependency of the project: `uv tool install py-spy` puts it on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENVIRONMENT = "TOWNHALL_BENCH_PROFILE_DIR"


@contextmanager
def recording(step: str, pids: dict[str, int], seconds: float) -> Iterator[None]:
    """Record `pids` with py-spy while the block runs, when profiling is asked for."""
    folder = os.environ.get(ENVIRONMENT)
    spy = shutil.which("py-spy")
    if not folder or spy is None:
        yield
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9]+", "-", step).strip("-")
    recorders = [
        subprocess.Popen(
            [
                spy,
                "record",
                *("--pid", str(pid), "--duration", str(max(1, round(seconds)))),
                *("--rate", "250", "--format", "raw", "--subprocesses", "--gil", "--nonblocking"),
                *("--output", str(Path(folder) / f"{name}--{process}.txt")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for process, pid in pids.items()
    ]
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.wait(timeout=seconds + 60)


def _frames(stack: str) -> list[str]:
    """The stack's frames, outermost first, each as `function (file)`: line numbers dropped,
    so that one function's samples add up."""
    frames = []
    for frame in stack.split(";"):
        match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame.strip())
        if match:
            function, path = match.groups()
            frames.append(f"{function} ({_short(path)})")
        else:
            frames.append(frame.strip())
    return frames


def _short(path: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def summarize(path: Path, *, top: int, match: str | None) -> str:
    inclusive: Counter[str] = Counter()
    exclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or (match and match not in stack):
            continue
        samples = int(count)
        frames = _frames(stack)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            exclusive[frames[-1]] += samples
    lines = [f"{path.name}: {total} samples" + (f" on stacks with {match!r}" if match else "")]
    for title, counter in (("inclusive", inclusive), ("exclusive", exclusive)):
        lines.append(f"-- {title}")
        for frame, samples in counter.most_common(top):
            lines.append(f"{100 * samples / max(total, 1):5.1f}%  {frame}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default=None, help="only stacks containing this text")
    args = parser.parse_args()
    print(summarize(args.file, top=args.top, match=args.match))


if __name__ == "__main__":
    main()
