"""Call markets: the uniform-price double auction and McAfee's trade reduction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auctions import (
    AuctionResult,
    Bids,
    Offers,
    conserves_permits,
    double_auction,
    is_budget_balanced,
    is_individually_rational,
    market_clearing_range,
)
from tests import strategies as s


def receipts(r: AuctionResult) -> np.ndarray:
    assert r.receipts is not None
    return r.receipts


def unit_market(buyers: list[float], sellers: list[float]) -> tuple[Bids, Offers]:
    bids = Bids(bidder=[f"b{i}" for i in range(len(buyers))], price=buyers,
                quantity=[1] * len(buyers))
    asks = Offers(price=sellers, quantity=[1] * len(sellers),
                  seller=[f"s{i}" for i in range(len(sellers))])
    return bids, asks


def test_mcafee_all_efficient_trades_when_p0_fits():
    # Buyers 9, 8, 6, 4; sellers 2, 3, 5, 7. Three units can trade (6 >= 5, 4 < 7).
    # p0 = (4 + 7) / 2 = 5.5 lies in [s3, b3] = [5, 6]: three trades at 5.5.
    bids, asks = unit_market([9.0, 8.0, 6.0, 4.0], [2.0, 3.0, 5.0, 7.0])
    r = double_auction(bids, asks, rule="trade_reduction")
    assert r.awarded.tolist() == [1, 1, 1, 0]
    assert r.offer_sold.tolist() == [1, 1, 1, 0]
    assert r.clearing_price == 5.5
    assert r.surplus == 0.0


def test_mcafee_reduces_one_trade_when_p0_does_not_fit():
    # Fourth buyer at 5.8, fourth seller at 7.5: p0 = 6.65 > b3 = 6. Two trades;
    # buyers pay b3 = 6, sellers receive s3 = 5; the surplus is 2 x (6 - 5) = 2.
    bids, asks = unit_market([9.0, 8.0, 6.0, 5.8], [2.0, 3.0, 5.0, 7.5])
    r = double_auction(bids, asks, rule="trade_reduction")
    assert r.awarded.tolist() == [1, 1, 0, 0]
    assert r.offer_sold.tolist() == [1, 1, 0, 0]
    assert r.payments.tolist() == [6.0, 6.0, 0.0, 0.0]
    assert receipts(r).tolist() == [5.0, 5.0, 0.0, 0.0]
    assert r.surplus == 2.0


def test_uniform_prices_span_the_clearing_range():
    # Buyers 10, 8, 5; sellers 3, 6, 9: two trade; range [max(6, 5), min(8, 9)] = [6, 8].
    bids, asks = unit_market([10.0, 8.0, 5.0], [3.0, 6.0, 9.0])
    assert double_auction(bids, asks, price_rule="k_double", k=0.0).clearing_price == 6.0
    assert double_auction(bids, asks, price_rule="k_double", k=1.0).clearing_price == 8.0
    assert double_auction(bids, asks, price_rule="k_double", k=0.25).clearing_price == 6.5
    assert double_auction(bids, asks).clearing_price == 7.0
    assert double_auction(bids, asks, price_rule="last_accepted").clearing_price == 8.0
    assert double_auction(bids, asks, price_rule="first_rejected").clearing_price == 6.0


def test_no_crossing_no_trade():
    bids, asks = unit_market([2.0, 1.0], [3.0, 4.0])
    r = double_auction(bids, asks)
    assert r.sold == 0 and math.isnan(r.clearing_price) and r.status == "cleared"


@st.composite
def markets(draw: st.DrawFn) -> tuple[Bids, Offers]:
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 6))
    bids = Bids(
        bidder=[f"b{i}" for i in range(n)],
        price=draw(st.lists(s.prices, min_size=n, max_size=n)),
        quantity=draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
    )
    asks = Offers(
        price=draw(st.lists(s.prices, min_size=m, max_size=m)),
        quantity=draw(st.lists(st.integers(0, 4), min_size=m, max_size=m)),
        seller=[f"s{i}" for i in range(m)],
    )
    return bids, asks


@given(market=markets(), rule=st.sampled_from(["uniform", "trade_reduction"]),
       price_rule=st.sampled_from(["midpoint", "k_double", "last_accepted", "first_rejected"]),
       k=st.sampled_from([0.0, 0.3, 1.0]), tie=s.tie_breaks, seed=st.integers(0, 99))
def test_double_auction_invariants(market, rule, price_rule, k, tie, seed):
    bids, asks = market
    r = double_auction(bids, asks, rule=rule, price_rule=price_rule, k=k, tie_break=tie,
                       rng=seed)
    assert conserves_permits(r) and is_budget_balanced(r) and is_individually_rational(r)
    # Sellers never receive less than their asks; buyers never pay more than their bids.
    assert (receipts(r) >= r.offer_sold * asks.price - 1e-9).all()
    # Never a deficit.
    assert r.surplus >= -1e-9
    if rule == "uniform":
        assert r.surplus == pytest.approx(0.0, abs=1e-9)
    # Efficient quantity (unit by unit) and McAfee trades at most one lot fewer.
    units_b = sorted((p for p, q in zip(bids.price, bids.quantity, strict=True)
                      for _ in range(q)), reverse=True)
    units_s = sorted(p for p, q in zip(asks.price, asks.quantity, strict=True) for _ in range(q))
    efficient = sum(1 for b, a in zip(units_b, units_s, strict=False) if b >= a)
    if rule == "uniform":
        assert r.sold == efficient
    else:
        assert r.sold in (efficient, max(efficient - 1, 0))


@given(market=markets(), seed=st.integers(0, 99))
def test_uniform_price_lies_in_the_clearing_range(market, seed):
    from auctions import clear

    bids, asks = market
    c = clear(bids, asks, side="both", rng=seed)
    r = double_auction(bids, asks, rng=seed)
    if c.margins is not None:
        lower, upper = market_clearing_range(c.margins)
        assert lower <= r.clearing_price <= upper


GRID = [x / 2 for x in range(0, 21)]


@given(
    buyers=st.lists(st.sampled_from(GRID), min_size=1, max_size=4),
    sellers=st.lists(st.sampled_from(GRID), min_size=1, max_size=4),
    side=st.sampled_from(["buyer", "seller"]),
    who=st.integers(0, 3),
    seed=st.integers(0, 99),
)
def test_mcafee_no_trader_gains_by_misreporting(buyers, sellers, side, who, seed):
    own = buyers if side == "buyer" else sellers
    who %= len(own)
    value = own[who]

    def utility(report: float) -> float:
        b, a = list(buyers), list(sellers)
        (b if side == "buyer" else a)[who] = report
        r = double_auction(*unit_market(b, a), rule="trade_reduction", tie_break="random",
                           rng=seed)
        if side == "buyer":
            return float(r.awarded[who] * value - r.payments[who])
        return float(receipts(r)[who] - r.offer_sold[who] * value)

    honest = utility(value)
    assert honest >= -1e-12
    for report in GRID:
        assert utility(report) <= honest + 1e-9, report


def test_trade_reduction_midpoint_of_large_prices():
    # McAfee's p0 of the excluded pair (0.79e308, 1.01e308) is 9e307, inside
    # [0.5e308, 1e308]: the one efficient unit trades at p0. The sum of the pair
    # overflows float64 (p0 had been inf, and the trade dropped).
    bids = Bids(bidder=["b1", "b2"], price=[1.0e308, 0.79e308], quantity=[1, 1])
    asks = Offers(price=[0.5e308, 1.01e308], quantity=[1, 1], seller=["s1", "s2"])
    r = double_auction(bids, asks, rule="trade_reduction")
    assert r.sold == 1 and r.clearing_price == 0.79e308 / 2 + 1.01e308 / 2
