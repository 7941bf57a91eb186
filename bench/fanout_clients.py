"""Fan-out load client: N websockets across K processes, one broadcast, per-socket receive times.

Library use (see ``run_bare_baseline.py`` for a full example)::

    from fanout_clients import ControlSocketTrigger, FanoutConfig, run_fanout, text_contains

    config = FanoutConfig(
        url="ws://127.0.0.1:8000/ws?topics=course:1:forum",
        sockets=5000,
        procs=2,
        headers=lambda i: {"Cookie": f"session={session_for(i)}"},  # or a plain dict, or None
        on_open=subscribe_and_wait_for_ack,  # async (ws, index) -> None, run once per socket
        predicate=text_contains('id="post-'),  # first frame that matches counts as "received"
        server_pid=server_pid,  # RSS before connecting / after all connected
        rounds=3,
    )
    result = run_fanout(config, trigger)  # trigger: async () -> object, run once per round

Timing. Every process stamps with ``time.monotonic_ns()``, i.e. ``clock_gettime(CLOCK_MONOTONIC)``.
On Linux that clock is system-wide (time since boot, same for every process), so stamps taken in
different client processes and in the coordinator are directly comparable; ``time.perf_counter_ns``
is the same clock on Linux but is documented as process-relative, so it is not used. Each run
checks the claim: a worker's stamp on receiving the coordinator's hello must lie between the
coordinator's send and receive stamps (``FanoutResult.clock_check_ok``).

The latency of a socket in a round is ``t_received - t0`` where ``t0`` is taken just before the
trigger coroutine is awaited, and ``t_received`` when the client's ``recv`` returns the first
matching frame of that round. Completion is the slowest socket. Client processes share the
machine with the server, so on a 2-core box the numbers include client-side scheduling.

Everything is bounded: connect, on_open, each round and close have timeouts, workers are joined
with a timeout and terminated if they hang. Only loopback URLs are accepted.

CLI::

    python bench/fanout_clients.py --url ws://127.0.0.1:8901/ws --sockets 5000 --procs 2 \\
        --control-url ws://127.0.0.1:8901/control --server-pid 1234 --match '"seq"'
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect

Message = str | bytes
Headers = Mapping[str, str]
HeadersFactory = Callable[[int], Headers]
OnOpen = Callable[[ClientConnection, int], Awaitable[None]]
Predicate = Callable[[Message], bool]
Trigger = Callable[[], Awaitable[Any]]

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
PIPE_SLACK_S = 15.0  # extra wait on a worker's reply beyond the phase's own timeout


# --------------------------------------------------------------------------------------------
# Configuration and results
# --------------------------------------------------------------------------------------------


def any_frame(_message: Message) -> bool:
    return True


def text_contains(needle: str) -> Predicate:
    """Predicate: a text frame containing ``needle``."""

    def predicate(message: Message) -> bool:
        return isinstance(message, str) and needle in message

    return predicate


@dataclass
class FanoutConfig:
    url: str  # ws:// URL on loopback; same for every socket
    sockets: int = 1000
    procs: int = 2
    headers: Headers | HeadersFactory | None = None  # extra handshake headers, or per index
    on_open: OnOpen | None = None  # e.g. send a subscribe frame and await the ack
    predicate: Predicate = any_frame  # which incoming frame counts as "the broadcast"
    server_pid: int | None = None  # for VmRSS; None skips memory figures
    rounds: int = 3  # broadcasts per run, on the same connections
    connect_concurrency: int = 100  # per process, in-flight handshakes (+ on_open)
    connect_timeout: float = 120.0  # whole connect phase, per process
    open_timeout: float = 20.0  # one handshake
    round_timeout: float = 15.0  # trigger -> all sockets received, per round
    settle_seconds: float = 1.0  # idle pause after connecting, before RSS and the first round
    close_timeout: float = 10.0
    compression: str | None = None  # client offers no permessage-deflate by default
    use_uvloop: bool = True  # in client processes, when uvloop is importable
    receiver: str = "light"  # "light": minimal frame parser after on_open; "websockets": library

    def headers_for(self, index: int) -> Headers | None:
        if callable(self.headers):
            return self.headers(index)
        return self.headers


@dataclass
class RoundResult:
    index: int
    received: int
    missing: int
    early: int  # matched before t0: predicate too loose, or stale frames
    completion_ms: float
    p50_ms: float
    p99_ms: float
    trigger_reply: Any = None


@dataclass
class FanoutResult:
    sockets_requested: int
    sockets_connected: int
    connect_errors: list[str]
    connect_seconds: float
    rss_before_kb: int | None
    rss_connected_kb: int | None
    clock_check_ok: bool
    rounds: list[RoundResult] = field(default_factory=list)

    @property
    def rss_per_socket_kb(self) -> float | None:
        if self.rss_before_kb is None or self.rss_connected_kb is None:
            return None
        if not self.sockets_connected:
            return None
        return (self.rss_connected_kb - self.rss_before_kb) / self.sockets_connected

    def median_round(self) -> RoundResult | None:
        """The round with the median completion time (rounds sorted by completion)."""
        if not self.rounds:
            return None
        ordered = sorted(self.rounds, key=lambda r: r.completion_ms)
        return ordered[(len(ordered) - 1) // 2]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def check_loopback(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"only ws(s):// URLs on loopback are allowed, got {url!r}")


def raise_nofile_limit() -> int:
    """Raise RLIMIT_NOFILE's soft limit to the hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def read_rss_kb(pid: int) -> int:
    """VmRSS of a process in kB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def split_counts(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked, final client frame with a payload under 126 bytes (control frames)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


# --------------------------------------------------------------------------------------------
# Worker process
# --------------------------------------------------------------------------------------------


class StampedConnection(ClientConnection):
    """ClientConnection that notes when bytes last arrived from the event loop.

    A round's stamp is the arrival time of the bytes that completed the matching message, not
    the (later) moment the reading task was scheduled: with thousands of sockets ready in one
    loop iteration, task wake-ups would add the client's own queueing to every latency.
    """

    last_data_ns: int = 0

    def data_received(self, data: bytes) -> None:
        self.last_data_ns = time.monotonic_ns()
        super().data_received(data)


class Receiver:
    """Reads one socket; stamps the first matching frame of each round."""

    def __init__(self, ws: StampedConnection, predicate: Predicate, progress: Progress) -> None:
        self.ws = ws
        self.predicate = predicate
        self.progress = progress
        self.stamps: list[int] = []
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def close(self) -> None:
        await self.ws.close()
        if self.task is not None:
            self.task.cancel()

    async def run(self) -> None:
        with contextlib.suppress(Exception):
            async for message in self.ws:
                if self.predicate(message):
                    self.stamps.append(self.ws.last_data_ns or time.monotonic_ns())
                    self.progress.note(len(self.stamps))


class LightReceiver(asyncio.Protocol):
    """Takes over a socket's transport after the handshake and ``on_open``.

    It parses the server's (unmasked, uncompressed) frames with a minimal parser and stamps in
    ``data_received``, costing a fraction of the client CPU of the websockets protocol stack per
    frame, so that on a small box the client processes are not what is being measured. It answers
    pings and sends a close frame when done. Bytes the websockets protocol had already read
    before the switch are dropped (they precede every trigger).
    """

    def __init__(self, ws: ClientConnection, predicate: Predicate, progress: Progress) -> None:
        self.ws = ws
        self.transport = ws.transport
        self.predicate = predicate
        self.progress = progress
        self.stamps: list[int] = []
        self.buffer = bytearray()
        self.fragments: list[bytes] = []
        self.message_opcode = OP_TEXT

    def start(self) -> None:
        self.transport.set_protocol(self)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        self.buffer += data
        while (frame := self.next_frame()) is not None:
            self.on_frame(*frame, now)

    def next_frame(self) -> tuple[int, bool, bytes] | None:
        """Pop one complete frame (opcode, fin, payload) off the buffer, if there is one."""
        buf = self.buffer
        if len(buf) < 2:
            return None
        fin, opcode = bool(buf[0] & 0x80), buf[0] & 0x0F
        length, offset = buf[1] & 0x7F, 2
        if length == 126:
            length, offset = int.from_bytes(buf[2:4], "big"), 4
        elif length == 127:
            length, offset = int.from_bytes(buf[2:10], "big"), 10
        if buf[1] & 0x80:
            raise ValueError("masked frame from server")
        if len(buf) < offset + length:
            return None
        payload = bytes(buf[offset : offset + length])
        del buf[: offset + length]
        return opcode, fin, payload

    def on_frame(self, opcode: int, fin: bool, payload: bytes, now: int) -> None:
        if opcode == OP_PING:
            self.transport.write(client_frame(OP_PONG, payload))
            return
        if opcode == OP_CLOSE:
            self.transport.close()
            return
        if opcode in (OP_TEXT, OP_BINARY):
            self.message_opcode, self.fragments = opcode, [payload]
        elif opcode == OP_CONT:
            self.fragments.append(payload)
        if opcode not in (OP_TEXT, OP_BINARY, OP_CONT) or not fin:
            return
        data = b"".join(self.fragments)
        self.fragments = []
        message: Message = data.decode() if self.message_opcode == OP_TEXT else data
        if self.predicate(message):
            self.stamps.append(now)
            self.progress.note(len(self.stamps))

    async def close(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(client_frame(OP_CLOSE, (1000).to_bytes(2, "big")))
            self.transport.close()


class Progress:
    """How many sockets have seen at least k matching frames; wakes waiters per round."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.counts: dict[int, int] = {}
        self.events: dict[int, asyncio.Event] = {}

    def event(self, matches: int) -> asyncio.Event:
        if matches not in self.events:
            self.events[matches] = asyncio.Event()
            if self.counts.get(matches, 0) >= self.total:
                self.events[matches].set()
        return self.events[matches]

    def note(self, matches: int) -> None:
        self.counts[matches] = self.counts.get(matches, 0) + 1
        if self.counts[matches] >= self.total:
            self.event(matches).set()


async def open_one(config: FanoutConfig, index: int, sem: asyncio.Semaphore) -> StampedConnection:
    async with sem:
        ws = await connect(
            config.url,
            additional_headers=config.headers_for(index),
            compression=config.compression,
            proxy=None,
            open_timeout=config.open_timeout,
            ping_interval=None,
            close_timeout=config.close_timeout,
            max_queue=None,
            user_agent_header=None,
            create_connection=StampedConnection,
        )
        if config.on_open is not None:
            try:
                await asyncio.wait_for(config.on_open(ws, index), config.open_timeout)
            except BaseException:
                await ws.close()
                raise
        return ws


async def open_all(
    config: FanoutConfig, first: int, count: int
) -> tuple[list[StampedConnection], list[str]]:
    sem = asyncio.Semaphore(config.connect_concurrency)
    tasks = [asyncio.create_task(open_one(config, first + i, sem)) for i in range(count)]
    done, pending = await asyncio.wait(tasks, timeout=config.connect_timeout)
    for task in pending:
        task.cancel()
    sockets, errors = [], []
    for task in tasks:
        if task in done and task.exception() is None:
            sockets.append(task.result())
        elif task in done:
            errors.append(repr(task.exception()))
        else:
            errors.append("connect phase timed out")
    return sockets, errors


async def recv_command(conn: Connection, wait_s: float) -> tuple[Any, ...]:
    ready = await asyncio.to_thread(conn.poll, wait_s)
    if not ready:
        return ("close",)  # coordinator gone quiet: stop by ourselves
    return conn.recv()


async def collect_round(
    receivers: Sequence[Receiver | LightReceiver],
    progress: Progress,
    round_index: int,
    wait_s: float,
) -> list[int | None]:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(progress.event(round_index + 1).wait(), wait_s)
    return [r.stamps[round_index] if len(r.stamps) > round_index else None for r in receivers]


async def close_all(receivers: Sequence[Receiver | LightReceiver], wait_s: float) -> None:
    closes = [asyncio.create_task(r.close()) for r in receivers]
    if closes:
        await asyncio.wait(closes, timeout=wait_s)


async def worker_main(conn: Connection, config: FanoutConfig, first: int, count: int) -> None:
    conn.recv()  # ("hello", coordinator's monotonic_ns): answer with ours at once
    conn.send(("hello", time.monotonic_ns(), raise_nofile_limit()))
    started = time.monotonic()
    sockets, errors = await open_all(config, first, count)
    progress = Progress(len(sockets))
    kind = LightReceiver if config.receiver == "light" else Receiver
    receivers: list[Receiver | LightReceiver] = [
        kind(ws, config.predicate, progress) for ws in sockets
    ]
    for receiver in receivers:
        receiver.start()
    conn.send(("connected", len(sockets), errors[:20], len(errors), time.monotonic() - started))
    idle_limit = config.round_timeout + config.settle_seconds + 600.0
    while True:
        command = await recv_command(conn, idle_limit)
        if command[0] == "collect":
            stamps = await collect_round(receivers, progress, command[1], config.round_timeout)
            conn.send(("stamps", stamps))
        else:
            await close_all(receivers, config.close_timeout)
            conn.send(("closed",))
            return


def worker_entry(conn: Connection, config: FanoutConfig, first: int, count: int) -> None:
    coroutine = worker_main(conn, config, first, count)
    if config.use_uvloop:
        try:
            import uvloop
        except ImportError:
            asyncio.run(coroutine)
        else:
            uvloop.run(coroutine)
    else:
        asyncio.run(coroutine)


# --------------------------------------------------------------------------------------------
# Coordinator
# --------------------------------------------------------------------------------------------


@dataclass
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


def start_workers(config: FanoutConfig) -> list[Worker]:
    # fork: plug-ins (lambdas, closures) need no pickling; forked before any event loop exists
    context = multiprocessing.get_context("fork")
    workers, first = [], 0
    for count in split_counts(config.sockets, config.procs):
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=worker_entry, args=(child_end, config, first, count), daemon=True
        )
        process.start()
        child_end.close()
        workers.append(Worker(process, parent_end))
        first += count
    return workers


async def expect(worker: Worker, kind: str, wait_s: float) -> tuple[Any, ...]:
    ready = await asyncio.to_thread(worker.conn.poll, wait_s)
    if not ready:
        raise TimeoutError(f"worker pid={worker.process.pid} sent no {kind!r} in {wait_s}s")
    message = worker.conn.recv()
    if message[0] != kind:
        raise RuntimeError(f"expected {kind!r} from worker, got {message[0]!r}")
    return message


async def check_clock(workers: list[Worker]) -> bool:
    """True when every worker's stamp lies between our send and receive stamps."""
    ok = True
    for worker in workers:
        sent = time.monotonic_ns()
        worker.conn.send(("hello", sent))
        _, child_stamp, _nofile = await expect(worker, "hello", 30.0)
        ok = ok and sent <= child_stamp <= time.monotonic_ns()
    return ok


def round_stats(index: int, t0: int, stamps: list[int | None], reply: Any) -> RoundResult:
    got = [s for s in stamps if s is not None]
    early = sum(1 for s in got if s < t0)
    latencies = sorted((s - t0) / 1e6 for s in got)
    return RoundResult(
        index=index,
        received=len(got),
        missing=len(stamps) - len(got),
        early=early,
        completion_ms=latencies[-1] if latencies else float("nan"),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        trigger_reply=reply,
    )


async def run_round(
    workers: list[Worker], trigger: Trigger, index: int, wait_s: float
) -> RoundResult:
    t0 = time.monotonic_ns()
    reply = await asyncio.wait_for(trigger(), wait_s)
    for worker in workers:
        worker.conn.send(("collect", index))
    stamps: list[int | None] = []
    for worker in workers:
        stamps += (await expect(worker, "stamps", wait_s + PIPE_SLACK_S))[1]
    return round_stats(index, t0, stamps, reply)


async def coordinate(
    config: FanoutConfig, trigger: Trigger, workers: list[Worker], rss_before: int | None
) -> FanoutResult:
    clock_ok = await check_clock(workers)
    connected, errors, connect_s = 0, [], 0.0
    for worker in workers:
        _, n, errs, _n_errs, seconds = await expect(
            worker, "connected", config.connect_timeout + PIPE_SLACK_S
        )
        connected, errors, connect_s = connected + n, errors + errs, max(connect_s, seconds)
    await asyncio.sleep(config.settle_seconds)
    rss_connected = read_rss_kb(config.server_pid) if config.server_pid else None
    result = FanoutResult(
        config.sockets, connected, errors, connect_s, rss_before, rss_connected, clock_ok
    )
    try:
        for index in range(config.rounds):
            result.rounds.append(await run_round(workers, trigger, index, config.round_timeout))
            await asyncio.sleep(0.2)
    finally:
        await close_trigger(trigger)
        for worker in workers:
            worker.conn.send(("close",))
        for worker in workers:
            with contextlib.suppress(Exception):
                await expect(worker, "closed", config.close_timeout + PIPE_SLACK_S)
    return result


async def close_trigger(trigger: Trigger) -> None:
    aclose = getattr(trigger, "aclose", None)
    if aclose is not None:
        await aclose()


def stop_workers(workers: list[Worker]) -> None:
    for worker in workers:
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join(timeout=5)
        worker.conn.close()


def run_fanout(config: FanoutConfig, trigger: Trigger) -> FanoutResult:
    """Open ``config.sockets`` sockets, run ``config.rounds`` broadcasts, return the timings.

    Call from synchronous code (it forks the client processes, then runs its own event loop).
    """
    check_loopback(config.url)
    raise_nofile_limit()
    rss_before = read_rss_kb(config.server_pid) if config.server_pid else None
    workers = start_workers(config)
    try:
        return asyncio.run(coordinate(config, trigger, workers, rss_before))
    finally:
        stop_workers(workers)


# --------------------------------------------------------------------------------------------
# Ready-made plug-ins
# --------------------------------------------------------------------------------------------


class ControlSocketTrigger:
    """Trigger that sends ``command`` on a control websocket and returns the decoded reply.

    The socket is opened on first use (inside the coordinator's loop) and reused every round.
    """

    def __init__(self, url: str, command: str = "broadcast", timeout: float = 10.0) -> None:
        check_loopback(url)
        self.url, self.command, self.timeout = url, command, timeout
        self.ws: ClientConnection | None = None

    async def __call__(self) -> Any:
        if self.ws is None:
            self.ws = await connect(self.url, proxy=None, compression=None, ping_interval=None)
        await self.ws.send(self.command)
        reply = await asyncio.wait_for(self.ws.recv(), self.timeout)
        with contextlib.suppress(ValueError, TypeError):
            return json.loads(reply)
        return reply

    async def aclose(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None


def send_and_await(frame: str, ack: Predicate, timeout: float = 10.0) -> OnOpen:
    """on_open: send ``frame`` (e.g. a subscribe message) and wait for a frame matching ``ack``."""

    async def on_open(ws: ClientConnection, _index: int) -> None:
        await ws.send(frame)
        async with asyncio.timeout(timeout):
            while not ack(await ws.recv()):
                pass

    return on_open


def load_object(spec: str) -> Any:
    """Import ``package.module:attribute``."""
    module_name, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


# --------------------------------------------------------------------------------------------
# Reporting and CLI
# --------------------------------------------------------------------------------------------


def format_result(result: FanoutResult) -> str:
    lines = [
        f"connected {result.sockets_connected}/{result.sockets_requested} "
        f"in {result.connect_seconds:.1f}s; shared monotonic clock check: "
        f"{'ok' if result.clock_check_ok else 'FAILED'}",
    ]
    if result.connect_errors:
        lines.append(f"connect errors (first): {result.connect_errors[:3]}")
    if result.rss_per_socket_kb is not None:
        lines.append(
            f"server RSS {result.rss_before_kb} kB -> {result.rss_connected_kb} kB: "
            f"{result.rss_per_socket_kb:.1f} kB/socket"
        )
    for r in result.rounds:
        lines.append(
            f"round {r.index}: completion {r.completion_ms:.1f} ms, p50 {r.p50_ms:.1f}, "
            f"p99 {r.p99_ms:.1f}, received {r.received}, missing {r.missing}, early {r.early}, "
            f"trigger reply {r.trigger_reply}"
        )
    return "\n".join(lines)


def summary(result: FanoutResult) -> dict[str, float | int | None]:
    """Median-round figures, also the median of each metric over rounds."""
    rounds = result.rounds
    return {
        "sockets": result.sockets_connected,
        "completion_ms": statistics.median(r.completion_ms for r in rounds) if rounds else None,
        "p50_ms": statistics.median(r.p50_ms for r in rounds) if rounds else None,
        "p99_ms": statistics.median(r.p99_ms for r in rounds) if rounds else None,
        "missing": sum(r.missing for r in rounds),
        "rss_per_socket_kb": result.rss_per_socket_kb,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="websocket fan-out load client")
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/path for every socket")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--headers-json", help="extra handshake headers as a JSON object")
    parser.add_argument("--subscribe", help="text frame each socket sends after connecting")
    parser.add_argument("--ack-contains", default="ack", help="substring of the subscribe ack")
    parser.add_argument("--on-open", help="module:function, async (ws, index) -> None")
    parser.add_argument("--match", default="", help="substring a broadcast frame contains")
    parser.add_argument("--predicate", help="module:function, (message) -> bool")
    parser.add_argument("--control-url", help="control websocket for ControlSocketTrigger")
    parser.add_argument("--control-command", default="broadcast")
    parser.add_argument("--trigger", help="module:function, async () -> object")
    parser.add_argument("--round-timeout", type=float, default=15.0)
    parser.add_argument("--receiver", choices=["light", "websockets"], default="light")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> tuple[FanoutConfig, Trigger]:
    on_open: OnOpen | None = None
    if args.on_open:
        on_open = load_object(args.on_open)
    elif args.subscribe:
        on_open = send_and_await(args.subscribe, text_contains(args.ack_contains))
    predicate = load_object(args.predicate) if args.predicate else text_contains(args.match)
    if args.trigger:
        trigger: Trigger = load_object(args.trigger)
    elif args.control_url:
        trigger = ControlSocketTrigger(args.control_url, args.control_command)
    else:
        raise SystemExit("need --trigger or --control-url")
    config = FanoutConfig(
        url=args.url,
        sockets=args.sockets,
        procs=args.procs,
        rounds=args.rounds,
        server_pid=args.server_pid,
        headers=json.loads(args.headers_json) if args.headers_json else None,
        on_open=on_open,
        predicate=predicate,
        round_timeout=args.round_timeout,
        receiver=args.receiver,
    )
    return config, trigger


def main(argv: list[str] | None = None) -> int:
    config, trigger = config_from_args(parse_args(argv))
    result = run_fanout(config, trigger)
    print(format_result(result))
    print(json.dumps(summary(result)))
    return 0 if result.rounds and all(r.missing == 0 for r in result.rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
