"""Peak memory of the server process while it receives one large multipart upload.

Starts ``app.serve()`` (gevent.pywsgi) with bench/params/upload_app.py in a subprocess, warms it up,
resets its peak-RSS counter (``/proc/PID/clear_refs``), streams a generated upload of ``--mib`` MiB
from this process (never held whole on either side), then reads the server's ``VmHWM`` (peak resident
set) and reports it above the idle ``VmRSS``. Linux only.

Usage: ``python bench/params/upload_memory.py [--mib 200]``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "----fastrapi-upload-memory"
PIECE = 1 << 20


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body(mib: int, digest: hashlib._Hash) -> tuple[int, Iterator[bytes]]:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nbig\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = os.urandom(PIECE)

    def pieces() -> Iterator[bytes]:
        yield head
        for i in range(mib):
            piece = block[i % 7:] + block[:i % 7]  # not all the same piece
            digest.update(piece)
            yield piece
        yield tail

    return len(head) + mib * PIECE + len(tail), pieces()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    code = f"from bench.params.upload_app import app; app.serve('127.0.0.1', {port}, access_log=False)"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/ping")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        length, pieces = body(2, hashlib.sha256())  # warm-up: parse a small upload once
        conn.request("POST", "/upload", body=pieces, headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(length)})
        conn.getresponse().read()
        time.sleep(0.5)
        idle = status_kib(server.pid, "VmRSS")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        digest = hashlib.sha256()
        length, pieces = body(args.mib, digest)
        start = time.perf_counter()
        conn.request("POST", "/upload", body=pieces, headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(length)})
        response = conn.getresponse()
        answer = json.loads(response.read())
        elapsed = time.perf_counter() - start
        peak = status_kib(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(10)
    ok = response.status == 200 and answer["size"] == args.mib * PIECE and answer["sha256"] == digest.hexdigest()
    print(f"upload of {args.mib} MiB: status {response.status}, content verified: {ok}, {elapsed:.1f} s "
          f"({args.mib / elapsed:.0f} MiB/s)")
    print(f"server RSS idle {idle / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
          f"peak above idle {(peak - idle) / 1024:.1f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
