"""How fast the synthetic demo generator runs: `.venv/bin/python tests/benchmarks/bench_demo.py`."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from cockpit.domain.demo import synthetic_items


def main(count: int = 100_000) -> None:
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    produced = sum(1 for _ in synthetic_items(count, now, "bench"))
    elapsed = time.perf_counter() - start
    print(f"{produced} synthetic items in {elapsed:.2f} s: {produced / elapsed:,.0f} items/second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
