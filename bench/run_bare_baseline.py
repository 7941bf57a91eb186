"""Baseline: bare `websockets` broadcast to 1,000 and 5,000 sockets; prints a Markdown table.

    python bench/run_bare_baseline.py [--sizes 1000 5000] [--procs 2] [--rounds 5] [--uvloop]

A fresh bare_ws_server subprocess (127.0.0.1) is started for each size so that the RSS per
socket is measured from an idle server. Each socket sends a subscribe frame and waits for the
ack before the broadcasts (the same shape of work our /ws endpoint will do).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

try:
    from bench.fanout_clients import (
        ControlSocketTrigger,
        FanoutConfig,
        FanoutResult,
        format_result,
        run_fanout,
        send_and_await,
        summary,
        text_contains,
    )
except ImportError:  # run as `python bench/run_bare_baseline.py`
    from fanout_clients import (  # type: ignore[no-redef]
        ControlSocketTrigger,
        FanoutConfig,
        FanoutResult,
        format_result,
        run_fanout,
        send_and_await,
        summary,
        text_contains,
    )

HOST = "127.0.0.1"
SERVER = Path(__file__).with_name("bare_ws_server.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"server on port {port} did not start in {timeout}s")


def start_server(port: int, uvloop: bool, mode: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, str(SERVER), "--port", str(port), "--mode", mode]
    if uvloop:
        cmd.append("--uvloop")
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
    except TimeoutError:
        server.kill()
        raise
    return server


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def measure(sockets: int, procs: int, rounds: int, uvloop: bool, mode: str) -> FanoutResult:
    port = free_port()
    server = start_server(port, uvloop, mode)
    try:
        config = FanoutConfig(
            url=f"ws://{HOST}:{port}/ws",
            sockets=sockets,
            procs=procs,
            rounds=rounds,
            on_open=send_and_await('{"subscribe": ["bench"]}', text_contains('"ack"')),
            predicate=text_contains('"seq"'),
            server_pid=server.pid,
        )
        return run_fanout(config, ControlSocketTrigger(f"ws://{HOST}:{port}/control"))
    finally:
        stop_server(server)


def server_send_ms(result: FanoutResult) -> float:
    """Median time the server's own send loop took (reported in the control reply)."""
    times = [r.trigger_reply["broadcast_us"] / 1000 for r in result.rounds]
    return statistics.median(times) if times else float("nan")


def markdown_table(results: list[FanoutResult]) -> str:
    rows = [
        "| sockets | completion ms | p50 ms | p99 ms | server send loop ms "
        "| RSS/socket KB | missing |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        s = summary(result)
        rss = s["rss_per_socket_kb"]
        rows.append(
            f"| {s['sockets']} | {s['completion_ms']:.1f} | {s['p50_ms']:.1f} | "
            f"{s['p99_ms']:.1f} | {server_send_ms(result):.1f} | "
            f"{'-' if rss is None else f'{rss:.1f}'} | {s['missing']} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--uvloop", action="store_true", help="server on uvloop")
    parser.add_argument(
        "--mode",
        choices=["broadcast", "raw"],
        default="broadcast",
        help="websockets.broadcast, or one pre-serialized frame written to every transport",
    )
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        result = measure(size, args.procs, args.rounds, args.uvloop, args.mode)
        print(f"## {size} sockets\n{format_result(result)}\n", file=sys.stderr)
        results.append(result)
    loop = "uvloop" if args.uvloop else "asyncio"
    print(
        f"bare websockets fan-out (mode {args.mode}), server on {loop}, {args.procs} client procs, "
        f"median of {args.rounds} rounds, ~1 KB text frame\n"
    )
    print(markdown_table(results))
    ok = all(r.sockets_connected == r.sockets_requested for r in results)
    return 0 if ok and all(summary(r)["missing"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
