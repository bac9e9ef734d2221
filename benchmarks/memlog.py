"""Where a command's memory is: every 2 s, the PSS of each process of its tree.

    python benchmarks/memlog.py LOG -- csto-index build benchmarks/out/corpus-100k --index /tmp/i

Each line of LOG: seconds since the start, then the PSS in MB of the whole tree and of each
process (the command first, then its descendants); the last line gives the peak. PSS splits a
page shared by several processes between them, so the sum is what the tree really holds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

INTERVAL = 2.0


def pss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in text.splitlines()
                 if line.startswith("Pss:")), 0.0)


def tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def main() -> None:
    log_path, command = Path(sys.argv[1]), sys.argv[sys.argv.index("--") + 1:]
    started, peak = time.monotonic(), 0.0
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        while process.poll() is None:
            shares = [pss_mb(pid) for pid in tree(process.pid)]
            peak = max(peak, sum(shares))
            print(f"{time.monotonic() - started:8.1f} s  tree {sum(shares):7.0f} MB  "
                  + " ".join(f"{share:.0f}" for share in shares), file=log, flush=True)
            time.sleep(INTERVAL)
        print(f"end after {time.monotonic() - started:.1f} s, exit code {process.returncode}, "
              f"peak PSS {peak:.0f} MB", file=log, flush=True)


if __name__ == "__main__":
    main()
