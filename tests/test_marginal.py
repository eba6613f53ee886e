"""The packed-key marginal bid search against a brute-force reading of the rule."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from auctions._marginal import marginal_bids
from tests import strategies as s
from tests.test_batch import close_prices


def brute_force(prices: list[float], lots: list[int], traded: int) -> tuple[float, int, int]:
    """Level, lots strictly above it, and positive-lot bids at it, by walking the bids."""
    order = sorted(range(len(prices)), key=lambda j: -prices[j])
    taken = 0
    level = prices[order[0]]
    for j in order:
        taken += lots[j]
        if taken >= traded:
            level = prices[j]
            break
    above = sum(q for p, q in zip(prices, lots, strict=True) if p > level)
    at_level = sum(1 for p, q in zip(prices, lots, strict=True) if p == level and q > 0)
    return level, above, at_level


@st.composite
def rows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = draw(st.integers(1, 4))
    n = draw(st.integers(1, 8))
    cell = draw(st.sampled_from([s.prices, close_prices]))
    big = draw(st.sampled_from([5, 5, 2**50]))
    price = np.array(draw(st.lists(st.lists(cell, min_size=n, max_size=n),
                                   min_size=a, max_size=a)), dtype=float) + 0.0
    lots = np.array(draw(st.lists(st.lists(st.integers(0, big), min_size=n, max_size=n),
                                  min_size=a, max_size=a)), dtype=np.int64)
    traded = np.array([draw(st.integers(0, int(t))) for t in lots.sum(axis=1)], dtype=np.int64)
    return price, lots, traded


@given(case=rows())
def test_marginal_bid_matches_brute_force(case):
    prices, lots, traded = case
    m = marginal_bids(prices, lots, traded)
    assert np.array_equal(m.demand, lots.sum(axis=1)) and np.array_equal(m.traded, traded)
    for i in range(len(prices)):
        if traded[i] == 0:
            continue
        level, above, at_level = brute_force(prices[i].tolist(), lots[i].tolist(), int(traded[i]))
        assert m.level[i] == level
        assert m.above[i] == above
        assert m.alone[i] == (at_level <= 1)
        assert prices[i, m.column[i]] == level and lots[i, m.column[i]] > 0


def test_prices_one_ulp_apart_at_the_margin_are_not_merged():
    # Two bids one unit in the last place apart share a packed-key bucket; the
    # lower one is marginal and the higher one is filled in full.
    high = math.nextafter(1.0, 2.0)
    prices = np.array([[1.0, high, 0.5]])
    m = marginal_bids(prices, np.array([[3, 3, 3]]), np.array([4]))
    assert (m.level.tolist(), m.column.tolist(), m.above.tolist()) == ([1.0], [0], [3])
    assert m.alone.tolist() == [True]


def test_running_sums_per_row_where_one_over_all_rows_would_overflow():
    # Four rows of four bids of about 2^59 lots: laid end to end, the running
    # sum would pass 2^63, so each row is summed on its own.
    rng = np.random.default_rng(3)
    prices = rng.integers(1, 5, (4, 4)).astype(float)
    lots = 2**59 - rng.integers(0, 1000, (4, 4))
    traded = np.array([0, 2**59, 2 * 2**59 + 7, int(lots[3].sum())])
    m = marginal_bids(prices, lots, traded)
    assert m.demand.tolist() == [int(x) for x in lots.sum(axis=1)]
    assert m.traded.tolist() == traded.tolist()
    for i in range(1, 4):
        level, above, at_level = brute_force(prices[i].tolist(), lots[i].tolist(), int(traded[i]))
        assert (m.level[i], m.above[i], m.alone[i]) == (level, above, at_level <= 1)
