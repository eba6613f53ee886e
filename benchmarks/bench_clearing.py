"""Speed and memory of the clearing engine, as ratios measured in one process.

Usage::

    python benchmarks/bench_clearing.py [--bids 1000000] [--memory-bids 10000000]

Prints:

- the time of ``uniform_price`` on N random bids divided by the time of
  ``numpy.argsort`` on the same N prices (target <= 3), with and without
  building the ``Bids`` table, and the same ratio for ``pay_as_bid`` and
  ``vickrey``;
- the time of ``clear_batch`` on 10^4 auctions of 100 bids divided by the
  time of ``numpy.sort`` of that array along its rows (target <= 3);
- the peak memory (``tracemalloc``, which sees numpy's allocations) of
  building and clearing M bids, as a multiple of the input arrays' size
  (target < 10).

Times are the best of several repeats, so that the ratio reflects the work
and not the machine's other load.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from functools import partial

import numpy as np

from auctions import Bids, clear_batch, pay_as_bid, uniform_price, vickrey


def best_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def random_inputs(
    n: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    bidder = rng.integers(0, max(n // 10, 1), n)
    price = np.round(rng.uniform(10.0, 60.0, n), 2)  # prices in cents: ties occur
    quantity = rng.integers(1, 100, n)
    return bidder, price, quantity


def speed(n: int, repeats: int) -> None:
    bidder, price, quantity = random_inputs(n)
    bids = Bids(bidder=bidder, price=price, quantity=quantity)
    supply = int(quantity.sum() // 2)
    reference = best_time(lambda: np.argsort(price), repeats)
    print(f"{n:,} bids; numpy.argsort of the prices: {reference * 1e3:.1f} ms")
    rows = [
        ("uniform_price (Bids built)", lambda: uniform_price(bids, supply, rng=0)),
        (
            "uniform_price (incl. Bids)",
            lambda: uniform_price(Bids(bidder=bidder, price=price, quantity=quantity), supply,
                                  rng=0),
        ),
        ("uniform_price, random ties", lambda: uniform_price(bids, supply, tie_break="random",
                                                             rng=0)),
        ("uniform_price, limit 1%", lambda: uniform_price(bids, supply, bidder_limit=0.01,
                                                          rng=0)),
        ("pay_as_bid", lambda: pay_as_bid(bids, supply, rng=0)),
        ("vickrey", lambda: vickrey(bids, supply, rng=0)),
    ]
    for label, fn in rows:
        t = best_time(fn, repeats)
        print(f"  {label:<30} {t * 1e3:8.1f} ms   ratio to argsort {t / reference:5.2f}")


def batch(n_auctions: int, n_bids: int, repeats: int) -> None:
    rng = np.random.default_rng(2)
    price = rng.uniform(10.0, 60.0, (n_auctions, n_bids))
    quantity = rng.integers(1, 10, (n_auctions, n_bids))
    supply = quantity.sum(axis=1) // 2
    reference = best_time(lambda: np.sort(price, axis=1), repeats)
    print(f"{n_auctions:,} auctions of {n_bids} bids; numpy.sort along rows: "
          f"{reference * 1e3:.1f} ms")

    def result_arrays() -> None:
        # What any batch call that keeps copies of the bids must do at least:
        # copy them and write the awards, three arrays the size of the prices.
        block = np.empty((3, *price.shape))
        np.copyto(block[0], price)
        np.copyto(block[1], quantity)
        block[2] = 0.0

    t = best_time(result_arrays, repeats)
    print(f"  {'writing the three result arrays':<30} {t * 1e3:8.1f} ms   "
          f"ratio to sort {t / reference:5.2f}")
    for name in ("uniform_price", "pay_as_bid", "vickrey"):
        t = best_time(partial(clear_batch, price, quantity, supply, format=name, rng=0), repeats)
        print(f"  clear_batch {name:<18} {t * 1e3:8.1f} ms   ratio to sort {t / reference:5.2f}")
    def with_payments(name: str) -> object:
        return clear_batch(price, quantity, supply, format=name, rng=0).payments

    for name in ("uniform_price", "pay_as_bid"):
        t = best_time(partial(with_payments, name), repeats)
        print(f"  {'  and reading payments':<30} {t * 1e3:8.1f} ms   "
              f"ratio to sort {t / reference:5.2f}   ({name})")
    t = best_time(lambda: clear_batch(price, quantity, supply, rng=0).revenue, repeats)
    print(f"  {'  and reading revenue':<30} {t * 1e3:8.1f} ms   "
          f"ratio to sort {t / reference:5.2f}   (uniform_price; exact sums)")
    whole = np.round(price)
    t = best_time(partial(clear_batch, whole, quantity, supply, rng=0), repeats)
    print(f"  {'same, prices in whole euros':<30} {t * 1e3:8.1f} ms   "
          f"ratio to sort {t / reference:5.2f}   (ties at the margin in most rows)")


def memory(n: int) -> None:
    bidder, price, quantity = random_inputs(n, seed=1)
    inputs = bidder.nbytes + price.nbytes + quantity.nbytes
    supply = int(quantity.sum() // 2)
    gc.collect()
    tracemalloc.start()
    bids = Bids(bidder=bidder, price=price, quantity=quantity)
    result = uniform_price(bids, supply, rng=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    print(
        f"{n:,} bids: inputs {inputs / 2**20:,.0f} MiB, peak while building and clearing "
        f"{peak / 2**20:,.0f} MiB, ratio {peak / inputs:.2f} (target < 10)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=1_000_000)
    parser.add_argument("--memory-bids", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--auctions", type=int, default=10_000)
    parser.add_argument("--auction-bids", type=int, default=100)
    args = parser.parse_args()
    speed(args.bids, args.repeats)
    batch(args.auctions, args.auction_bids, args.repeats)
    memory(args.memory_bids)


if __name__ == "__main__":
    main()
