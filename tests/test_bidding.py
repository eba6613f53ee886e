"""Bidding strategies and the revenue equivalence theorem, by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import beta

from auctions import Bids, clear_batch, uniform_price
from auctions.bidding import (
    demand_reduction,
    first_price_equilibrium,
    pay_as_bid_equilibrium,
    shaded,
    truthful,
)


@pytest.mark.parametrize(("n", "k"), [(4, 1), (5, 2), (8, 3)])
@pytest.mark.parametrize("v", [0.1, 0.5, 0.93])
def test_pay_as_bid_equilibrium_is_the_conditional_expectation(n, k, v):
    # b(v) = E[Y | Y < v], Y the k-th highest of n - 1 U[0,1] values ~ Beta(n - k, k),
    # computed here by numerical integration.
    y = beta(n - k, k)
    expected = quad(lambda t: t * y.pdf(t), 0, v)[0] / y.cdf(v)
    assert pay_as_bid_equilibrium([v], n, k)[0] == pytest.approx(expected, rel=1e-7)


def test_one_unit_pay_as_bid_is_first_price():
    v = np.linspace(0, 1, 11)
    np.testing.assert_allclose(pay_as_bid_equilibrium(v, 6, 1), first_price_equilibrium(v, 6))


@pytest.mark.parametrize(("n", "k"), [(5, 1), (5, 2), (6, 3)])
def test_revenue_equivalence(n, k):
    """First-price/pay-as-bid in equilibrium and (k+1)-th price truthful: same mean revenue."""
    rng = np.random.default_rng(1000 + 10 * n + k)
    draws = 20_000
    values = rng.random((draws, n))
    ones = np.ones((draws, n), dtype=np.int64)
    expected = k * (n - k) / (n + 1)
    uniform = clear_batch(truthful(values), ones, k, price_rule="first_rejected", rng=1)
    discriminatory = clear_batch(pay_as_bid_equilibrium(values, n, k), ones, k,
                                 format="pay_as_bid", rng=1)
    for result in (uniform, discriminatory):
        revenue = result.revenue
        se = revenue.std(ddof=1) / math.sqrt(draws)
        assert abs(revenue.mean() - expected) < 3 * se
    # Same values, same winners: the equilibrium bids are increasing in value.
    assert np.array_equal(uniform.awarded, discriminatory.awarded)


def test_demand_reduction_lowers_the_uniform_price():
    values = np.array([[10.0, 8.0], [10.0, 8.0]])
    bidders = ["a", "a", "b", "b"]

    def play(bids: np.ndarray) -> float:
        r = uniform_price(Bids(bidder=bidders, price=bids.ravel(), quantity=[1] * 4), 2,
                          price_rule="first_rejected")
        return r.clearing_price

    assert play(truthful(values)) == 8.0
    assert play(demand_reduction(values, keep=1)) == 0.0


def test_shading_and_bad_values():
    assert shaded([2.0], 0.5).tolist() == [1.0]
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\] \(got 1.5\)"):
        shaded([1.0], 1.5)
    with pytest.raises(ValueError, match="values must be finite"):
        truthful([math.nan])
    with pytest.raises(ValueError, match=r"values must be >= 0"):
        truthful([-1.0])
    with pytest.raises(ValueError, match="must not increase along each row"):
        demand_reduction([[1.0, 2.0]], keep=1)
    with pytest.raises(ValueError, match=r"n_bidders must be >= 1 \(got 0\)"):
        first_price_equilibrium([0.5], 0)
