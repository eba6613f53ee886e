"""Time of a multi-year scenario with many installations.

Usage::

    python benchmarks/bench_simulation.py [--firms 10000] [--years 30]

Builds a random regional market (incumbents with two base years, a tenth of
new entrants arriving over the period, a few closures), benchmarking on
current output, 30 % auctioned, and times :func:`allocation.simulate`.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from allocation import Firms, LinearMAC, Scenario, simulate


def random_scenario(n: int, years: int, seed: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    new = rng.random(n) < 0.1
    entry = np.where(new, rng.integers(2026, 2026 + years, n), rng.integers(1970, 2020, n))
    closure = np.where(rng.random(n) < 0.05, 2026 + rng.integers(1, years + 1, n), math.nan)
    closure = np.where(closure > entry, closure, math.nan)
    output = rng.uniform(1_000, 50_000, n)
    intensity = rng.uniform(0.5, 1.5, n)
    history = np.where(new[:, None], math.nan, (output * intensity)[:, None] * [1.0, 1.0])
    firms = Firms(np.arange(n), product=rng.choice(["power", "cement", "steel"], n),
                  entry_year=entry, base_years=[2023, 2024], emissions=history,
                  output=np.where(new[:, None], math.nan, output[:, None] * [1.0, 1.0]),
                  current_output=output, closure_year=closure)
    bau = output * intensity
    return Scenario(firms=firms, bau=bau, mac=LinearMAC(rng.uniform(0.0005, 0.01, n)),
                    start_year=2026, years=years, cap=int(bau.sum() * 0.9), reduction=0.022,
                    rule="benchmarking",
                    rule_options={"benchmarks": {"power": 0.9, "cement": 0.8, "steel": 1.1},
                                  "activity": "current"},
                    auction_share=0.3, reserve_price=20.0, reoffer_unsold=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=30)
    args = parser.parse_args()
    scenario = random_scenario(args.firms, args.years)
    start = time.perf_counter()
    result = simulate(scenario, rng=0)
    elapsed = time.perf_counter() - start
    print(f"{args.firms:,} installations, {args.years} years: {elapsed:.2f} s "
          f"({elapsed / args.years * 1e3:.0f} ms a year); "
          f"permits conserved: {result.conserves_permits()}")


if __name__ == "__main__":
    main()
