"""Incentives and classic results, checked against references outside the library.

- Vickrey payments equal the Vickrey-Clarke-Groves payments computed by brute
  force (welfare with and without each bidder, every unit listed).
- No bidder gains by misreporting in ``vickrey`` (multi-unit) or, with unit
  demand, in ``uniform_price`` with the ``"first_rejected"`` rule: every
  misreport on a grid is tried.
- With unit demand and n truthful bidders with U[0, 1] values for k units, the
  (k+1)-th price auction's expected revenue is k(n-k)/(n+1): revenue is k
  times the (k+1)-th highest of n uniform values, whose mean is (n-k)/(n+1)
  (order statistics of the uniform distribution).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auctions import Bids, uniform_price, vickrey

GRID = [x / 2 for x in range(0, 13)]  # 0, 0.5, ..., 6
values = st.sampled_from(GRID)


def welfare(units: list[tuple[float, str]], supply: int, reserve: float) -> float:
    """Best total value of ``supply`` permits: winners' values plus reserve per unsold permit."""
    best = sorted((v for v, _ in units if v >= reserve), reverse=True)[:supply]
    return sum(best) + reserve * (supply - len(best))


def vcg_payment(
    marginal: dict[str, list[float]], supply: int, reserve: float, bidder: str, won: int
) -> float:
    """The Vickrey-Clarke-Groves payment of ``bidder`` winning ``won`` permits, by brute force.

    ``W_-i - (W - v_i(won))``: the others' best welfare without ``bidder``,
    minus what the others get in the welfare-maximising allocation.
    """
    units = [(v, b) for b, vs in marginal.items() for v in vs]
    others = [u for u in units if u[1] != bidder]
    own_value = sum(sorted(marginal[bidder], reverse=True)[:won])
    return welfare(others, supply, reserve) - (welfare(units, supply, reserve) - own_value)


def as_bids(marginal: dict[str, list[float]]) -> Bids:
    rows = [(b, v, 1) for b, vs in marginal.items() for v in vs]
    return Bids.from_records(rows)


decreasing_values = st.lists(values, min_size=1, max_size=3).map(lambda v: sorted(v, reverse=True))
profiles = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D"]), decreasing_values, min_size=1, max_size=4
)


@given(profile=profiles, supply=st.integers(0, 6), reserve=values, rng=st.integers(0, 99))
def test_vickrey_payments_equal_brute_force_vcg(profile, supply, reserve, rng):
    r = vickrey(as_bids(profile), supply, reserve_price=reserve, rng=rng)
    won = {k: v.awarded for k, v in r.by_bidder().items()}
    # The allocation maximises reported welfare (ties may be split either way) ...
    units = [(v, b) for b, vs in profile.items() for v in vs]
    chosen = sum(sum(sorted(profile[b], reverse=True)[:x]) for b, x in won.items())
    assert chosen + reserve * r.unsold == pytest.approx(welfare(units, supply, reserve))
    # ... and each winner pays its externality on the others.
    for bidder, total in r.by_bidder().items():
        assert total.payment == pytest.approx(
            vcg_payment(profile, supply, reserve, bidder, total.awarded), abs=1e-9
        )


def utility(r, bidder: str, true_values: list[float]):
    won = r.by_bidder().get(bidder)
    if won is None:
        return 0.0
    return sum(sorted(true_values, reverse=True)[: won.awarded]) - won.payment


REPORTS = [
    list(r)
    for k in (1, 2)
    for r in itertools.combinations_with_replacement(reversed(GRID[::2]), k)
]


@given(
    profile=profiles.filter(lambda p: "A" in p),
    supply=st.integers(1, 5),
    reserve=st.sampled_from([0.0, 1.0, 2.5]),
    rng=st.integers(0, 99),
)
def test_vickrey_no_bidder_gains_by_misreporting(profile, supply, reserve, rng):
    truth = profile["A"]
    honest = utility(vickrey(as_bids(profile), supply, reserve_price=reserve, rng=rng), "A", truth)
    for report in REPORTS:
        lie = vickrey(as_bids({**profile, "A": report}), supply, reserve_price=reserve, rng=rng)
        assert utility(lie, "A", truth) <= honest + 1e-9, report


@given(
    others=st.lists(values, min_size=1, max_size=5),
    value=values,
    supply=st.integers(1, 4),
    reserve=st.sampled_from([0.0, 1.5]),
    tie=st.sampled_from(["pro_rata", "random"]),
    rng=st.integers(0, 99),
)
def test_first_rejected_uniform_price_is_truthful_with_unit_demand(
    others, value, supply, reserve, tie, rng
):
    def play(bid: float):
        profile = {"me": [bid], **{f"o{i}": [v] for i, v in enumerate(others)}}
        r = uniform_price(as_bids(profile), supply, reserve_price=reserve,
                          price_rule="first_rejected", tie_break=tie, rng=rng)
        return utility(r, "me", [value])

    honest = play(value)
    for bid in GRID:
        assert play(bid) <= honest + 1e-12, bid


@pytest.mark.parametrize(("n", "k"), [(5, 2), (8, 3), (4, 1)])
def test_first_rejected_expected_revenue_with_uniform_values(n, k):
    rng = np.random.default_rng(20240601 + n * 10 + k)
    draws = 3000
    revenue = np.empty(draws)
    bidders = [f"b{i}" for i in range(n)]
    for t in range(draws):
        bids = Bids(bidder=bidders, price=rng.random(n), quantity=np.ones(n, dtype=int))
        revenue[t] = uniform_price(bids, k, price_rule="first_rejected", rng=rng).revenue
    expected = k * (n - k) / (n + 1)
    se = revenue.std(ddof=1) / math.sqrt(draws)
    assert abs(revenue.mean() - expected) < 3 * se
