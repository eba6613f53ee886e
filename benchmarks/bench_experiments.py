"""Overhead of a sweep per task: serial and on a process pool.

Usage::

    python benchmarks/bench_experiments.py [--tasks 100000] [--workers 2] [--chunksize 1000]

Runs :func:`auctions.run_experiment` on a task that does almost nothing, so
the time per task is the sweep's own overhead (seeding each task from its
index, building its generator, collecting its row), serially and on a
``ProcessPoolExecutor``.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from auctions import run_experiment


def trivial(rng: np.random.Generator, **params: Any) -> dict[str, float]:
    """The cheapest task with a random draw."""
    return {"draw": float(rng.random())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunksize", type=int, default=1000)
    args = parser.parse_args()
    grid = {"point": list(range(args.tasks // 10))}
    start = time.perf_counter()
    serial = run_experiment(trivial, grid, replications=10, seed=1, as_frame=False)
    t_serial = time.perf_counter() - start
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        start = time.perf_counter()
        parallel = run_experiment(trivial, grid, replications=10, seed=1, executor=pool,
                                  chunksize=args.chunksize, as_frame=False)
        t_pool = time.perf_counter() - start
    assert parallel == serial
    n = len(serial)
    print(f"{n:,} tasks: serial {t_serial:.2f} s ({t_serial / n * 1e6:.1f} us a task); "
          f"process pool of {args.workers}, chunks of {args.chunksize}: {t_pool:.2f} s "
          f"({t_pool / n * 1e6:.1f} us a task); results identical")


if __name__ == "__main__":
    main()
