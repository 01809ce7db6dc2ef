"""Echo round trip on one WebSocket connection (median of N), with the ``websockets`` asyncio client, over
app.serve() and ``fastrapi run``'s worker, for the ``def`` and ``async def`` echo apps of tests/apps.

    .venv/bin/python bench/websocket_echo.py [round_trips]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.servers import SERVE, WORKER, run_server


async def round_trips(port: int, count: int) -> list[float]:
    async with websockets.connect(f"ws://127.0.0.1:{port}/echo", compression=None) as ws:
        for _ in range(200):  # warm up
            await ws.send("ping")
            await ws.recv()
        times = []
        for _ in range(count):
            started = time.perf_counter()
            await ws.send("ping")
            await ws.recv()
            times.append(time.perf_counter() - started)
        return times


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    for kind in (SERVE, WORKER):
        for flavor in ("sync", "async"):
            with run_server(kind, f"tests.apps.websocket_app:{flavor}_served") as live:
                times = asyncio.run(round_trips(live.port, count))
            print(f"{kind.rsplit('.', 1)[-1]:>8} {flavor:>5}: median {statistics.median(times) * 1e6:7.1f} µs, "
                  f"p90 {sorted(times)[int(count * 0.9)] * 1e6:7.1f} µs")


if __name__ == "__main__":
    main()
