"""Speed of the competitive permit-market equilibrium.

Usage::

    python benchmarks/bench_equilibrium.py [--firms 100000] [--repeats 5]

Prints the time of :func:`allocation.market.equilibrium` for N firms with
each kind of abatement cost curve (target for nonlinear curves: well under a
second at N = 10^5), with a price collar, and of
:func:`allocation.linking.linked_equilibrium` for two regions of N/2 firms;
and, as a yardstick, the time of ``numpy.sort`` on N prices. Times are the
best of several repeats.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from allocation.abatement import (
    LinearMAC,
    MarginalAbatementCost,
    PiecewiseLinearMAC,
    QuadraticMAC,
    TechnologyStep,
    stack,
)
from allocation.linking import Region, linked_equilibrium, two_way
from allocation.market import equilibrium


def best_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def market(
    n: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, MarginalAbatementCost]]:
    rng = np.random.default_rng(seed)
    bau = rng.uniform(1_000.0, 100_000.0, n)
    permits = np.floor(bau * rng.uniform(0.6, 1.0, n)).astype(np.int64)
    knots = 5
    steps_a = rng.uniform(0.05, 0.25, (n, knots - 1)) * bau[:, None]
    steps_m = rng.uniform(1.0, 40.0, (n, knots - 1))
    A = np.concatenate([np.zeros((n, 1)), np.cumsum(steps_a, axis=1)], axis=1)
    M = np.concatenate([np.zeros((n, 1)), np.cumsum(steps_m, axis=1)], axis=1)
    half = n // 2
    curves: dict[str, MarginalAbatementCost] = {
        "linear (exact)": LinearMAC(rng.uniform(1e-4, 1e-2, n)),
        "quadratic (bracket)": QuadraticMAC(
            rng.uniform(0.0, 1e-3, n), rng.uniform(1e-8, 1e-6, n), rng.uniform(0.0, 5.0, n)
        ),
        f"piecewise, {knots} points (exact)": PiecewiseLinearMAC(A, M),
        "quadratic + steps (bracket)": stack(
            QuadraticMAC(rng.uniform(0.0, 1e-3, half), rng.uniform(1e-8, 1e-6, half)),
            TechnologyStep(
                cost=np.round(rng.uniform(5.0, 80.0, n - half)),
                capacity=rng.uniform(0.05, 0.5, n - half) * bau[half:],
            ),
        ),
    }
    return bau, permits, curves


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n, repeats = args.firms, args.repeats
    bau, permits, curves = market(n)
    prices = np.random.default_rng(1).random(n)
    reference = best_time(lambda: np.sort(prices), repeats)
    print(f"{n:,} firms; numpy.sort of {n:,} prices: {reference * 1e3:.1f} ms")
    for label, mac in curves.items():
        result = equilibrium(bau, permits, mac)
        t = best_time(partial(equilibrium, bau, permits, mac), repeats)
        print(
            f"  equilibrium, {label:<32} {t * 1e3:8.1f} ms   price {result.price:10.4f}   "
            f"|sum net trade| {abs(result.net_trade.sum()):.1e}"
        )
    mac = curves["quadratic (bracket)"]
    ceiling = 0.8 * equilibrium(bau, permits, mac).price
    t = best_time(partial(equilibrium, bau, permits, mac, price_ceiling=ceiling), repeats)
    print(f"  equilibrium, quadratic with a binding ceiling  {t * 1e3:8.1f} ms")

    half = n // 2
    rng = np.random.default_rng(2)
    regions = [
        Region(
            "chongqing",
            bau=bau[:half],
            permits=permits[:half],
            mac=QuadraticMAC(rng.uniform(0.0, 2e-3, half), rng.uniform(1e-8, 1e-6, half)),
        ),
        Region(
            "sichuan",
            bau=bau[half:],
            permits=permits[half:],
            mac=QuadraticMAC(rng.uniform(0.0, 5e-4, n - half), rng.uniform(1e-8, 1e-6, n - half)),
        ),
    ]
    links = two_way("sichuan", "chongqing", quota=1_000_000)
    linked = linked_equilibrium(regions, links)
    t = best_time(lambda: linked_equilibrium(regions, links), max(1, repeats // 2))
    print(
        f"  linked_equilibrium, 2 regions x {half:,} quadratic firms, quota  {t * 1e3:8.1f} ms   "
        f"prices {linked.price['chongqing']:.3f} / {linked.price['sichuan']:.3f}"
    )


if __name__ == "__main__":
    main()
