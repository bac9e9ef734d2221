"""Start and stop a real `csto-search serve` on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    assert path is not None, f"{name} is not installed in {BIN}"
    return path


def build_index(raw_dir: Path, index_dir: Path) -> None:
    subprocess.run([command("csto-index"), "build", str(raw_dir), "--index", str(index_dir)],
                   check=True, capture_output=True, text=True)


@contextmanager
def running_server(index_dir: Path, workers: int = 1, *options: str) -> Iterator[str]:
    """The base URL of a server over index_dir, stopped when the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [command("csto-search"), "serve", "--index", str(index_dir), "--port", str(port),
         "--workers", str(workers), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"the server did not start:\n{output}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
