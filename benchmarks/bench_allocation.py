"""Time each free-allocation rule for 10^5 and 10^6 installations.

Run with ``python benchmarks/bench_allocation.py`` (``--sizes`` and
``--repeat`` to change the defaults). For every rule it prints the best of
``--repeat`` timings at each size and the ratio between consecutive sizes:
a rule that scales linearly shows a ratio near the ratio of the sizes (10),
and the target is under one second for 10^6 installations.

The firms are synthetic: five products, three base years with 5 % of the
records missing, 10 % new entrants, 1 % closed installations, and a cap at
90 % of the benchmark total so that the correction factor binds and the
largest-remainder rounding runs. Building the table is timed separately (it
validates every column once; the rules then reuse it).
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from allocation import (
    Allocation,
    Firms,
    benchmarking,
    equal_quantity,
    grandfathering,
    historical_intensity,
)

PRODUCTS = ("clinker", "lime", "hot metal", "float glass", "ammonia")
BENCHMARKS = {
    "clinker": 0.766,
    "lime": 0.954,
    "hot metal": 1.328,
    "float glass": 0.453,
    "ammonia": 1.619,
}


def make_columns(n: int, seed: int = 0) -> dict[str, Any]:
    """The columns of ``n`` synthetic installations (see the module notes)."""
    rng = np.random.default_rng(seed)
    years = np.array([2016, 2017, 2018])
    product = np.array(PRODUCTS)[rng.integers(0, len(PRODUCTS), n)]
    intensity = rng.uniform(0.4, 1.8, n)
    output = rng.lognormal(10.0, 1.0, (n, years.size))
    emissions = output * intensity[:, None] * rng.uniform(0.95, 1.05, (n, years.size))
    missing = rng.random((n, years.size)) < 0.05
    new = rng.random(n) < 0.10
    missing[new] = True
    output[missing] = np.nan
    emissions[missing] = np.nan
    # An incumbent must keep at least one recorded year.
    lost = ~new & missing.all(axis=1)
    output[lost, -1] = 1.0e4
    emissions[lost, -1] = 1.0e4
    entry = np.where(new, 2019, rng.integers(1970, 2016, n))
    current = rng.lognormal(10.0, 1.0, n)
    closure = np.where(rng.random(n) < 0.01, 2019.0, np.nan)
    return dict(
        id=np.arange(n),
        product=product,
        entry_year=entry,
        base_years=years,
        emissions=emissions,
        output=output,
        current_output=current,
        sector=product,
        closure_year=closure,
        current_emissions=current * intensity,
    )


def make_firms(n: int, seed: int = 0) -> Firms:
    """``n`` synthetic installations (see the module notes)."""
    columns = make_columns(n, seed)
    return Firms(columns.pop("id"), **columns)


def rules(firms: Firms) -> dict[str, Callable[[], Allocation]]:
    """The rules to time, each bound to ``firms`` and a binding cap."""
    codes, products = firms.product_codes
    per_unit = np.array([BENCHMARKS[p] for p in products.tolist()])
    cap = int(0.9 * float((per_unit[codes] * firms.current_output).sum()))
    return {
        "grandfathering": lambda: grandfathering(firms, cap, reserve_share=0.05),
        "benchmarking (historical)": lambda: benchmarking(
            firms, cap, benchmarks=BENCHMARKS, reserve_share=0.05
        ),
        "benchmarking (current)": lambda: benchmarking(
            firms, cap, benchmarks=BENCHMARKS, activity="current"
        ),
        "historical_intensity": lambda: historical_intensity(
            firms, cap, reduction_factor=0.98, benchmarks=BENCHMARKS
        ),
        "equal_quantity": lambda: equal_quantity(firms, cap, reserve_share=0.05),
    }


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results: dict[str, list[float]] = {}
    build: list[float] = []
    for n in args.sizes:
        columns = make_columns(n)
        ids = columns.pop("id")
        firms = Firms(ids, **columns)
        # Best of repeats, as for the rules: the first build of a size pays
        # for the process's memory growing to hold it.
        build.append(best_of(partial(Firms, ids, **columns), args.repeat))
        for name, fn in rules(firms).items():
            fn()  # warm the table's cached columns (id ranks, product codes)
            results.setdefault(name, []).append(best_of(fn, args.repeat))
    header = ["rule", *(f"n={n:,}" for n in args.sizes)]
    header += [f"ratio {b:,}/{a:,}" for a, b in itertools.pairwise(args.sizes)]
    table: list[tuple[str, list[float]]] = [("build Firms", build), *results.items()]
    width = max(len(name) for name, _ in table)
    print("  ".join([header[0].ljust(width), *(h.rjust(14) for h in header[1:])]))
    for name, times in table:
        ratios = [b / a for a, b in itertools.pairwise(times)]
        cells = [f"{t:.3f} s" for t in times] + [f"{r:.1f}" for r in ratios]
        print("  ".join([name.ljust(width), *(c.rjust(14) for c in cells)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
