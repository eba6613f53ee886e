"""Call markets: the uniform-price double auction and McAfee's trade reduction."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
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
from auctions.clearing import Margins
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


# ------------------------------------------------- money rounded in the market's favour

def exact_value(count: int, price: float) -> Fraction:
    return int(count) * Fraction(price)


def rounds_up_to(paid: float, exact: Fraction) -> bool:
    """``paid`` is the least float >= ``exact``: at or above it, within one ulp."""
    below = float(np.nextafter(paid, -math.inf))
    return Fraction(paid) >= exact and (paid == 0.0 or Fraction(below) < exact)


def rounds_down_to(received: float, exact: Fraction) -> bool:
    """``received`` is the greatest float <= ``exact``: at or below it, within one ulp."""
    above = float(np.nextafter(received, math.inf))
    return Fraction(received) <= exact < Fraction(above)


def market_prices(bids: Bids, asks: Offers, r: AuctionResult, seed: int) -> tuple[float, float]:
    """The buyers' and the sellers' price per permit of a result that traded."""
    from auctions import clear

    full = clear(bids, asks, side="both", rng=seed)
    if r.format == "double_auction:uniform" or r.sold == full.awarded.sum():
        return r.clearing_price, r.clearing_price
    assert full.margins is not None  # McAfee's reduction: each side at its m-th price
    return full.margins.lowest_accepted_bid, full.margins.highest_accepted_offer


#: Prices whose products with counts are often not floats: tenths, thirds,
#: any float, and the extremes where the check falls back on fractions.
awkward_prices = st.one_of(
    st.sampled_from([0.1, 0.3, 0.7, 1 / 3, 2.675, 1e-3]),
    st.floats(0.0, 1e3, allow_nan=False),
    st.floats(0.0, 1e-300, allow_nan=False),
    st.floats(1e260, 1e280, allow_nan=False),
)
#: Counts, some beyond 2**53 (where the count itself is not a float).
awkward_counts = st.one_of(st.integers(0, 9), st.integers(0, 2**40), st.integers(2**53, 2**60))


@st.composite
def awkward_markets(draw: st.DrawFn) -> tuple[Bids, Offers]:
    levels = draw(st.lists(awkward_prices, min_size=1, max_size=4))
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    bids = Bids(bidder=[f"b{i}" for i in range(n)],
                price=draw(st.lists(st.sampled_from(levels), min_size=n, max_size=n)),
                quantity=draw(st.lists(awkward_counts, min_size=n, max_size=n)))
    asks = Offers(price=draw(st.lists(st.sampled_from(levels), min_size=m, max_size=m)),
                  quantity=draw(st.lists(awkward_counts, min_size=m, max_size=m)),
                  seller=[f"s{i}" for i in range(m)])
    return bids, asks


# (buyers' quantities, sellers' quantities, one price for all): where the
# products rounded to nearest had left the market short.
DEFICITS = [([2, 1], [3], 0.1), ([3], [1, 2], 0.7), ([3], [1, 2], 0.3)]


def one_price_market(bought: list[int], sold: list[int], price: float) -> tuple[Bids, Offers]:
    bids = Bids(bidder=[f"b{i}" for i in range(len(bought))], price=[price] * len(bought),
                quantity=bought)
    asks = Offers(price=[price] * len(sold), quantity=sold,
                  seller=[f"s{i}" for i in range(len(sold))])
    return bids, asks


@example(market=one_price_market(*DEFICITS[0]), rule="uniform", price_rule="midpoint",
         k=0.5, seed=0)
@example(market=one_price_market([2**53 + 1], [2**53 + 1], 1.0), rule="uniform",
         price_rule="midpoint", k=0.5, seed=0)
@given(market=awkward_markets(), rule=st.sampled_from(["uniform", "trade_reduction"]),
       price_rule=st.sampled_from(["midpoint", "k_double", "last_accepted", "first_rejected"]),
       k=st.floats(0.0, 1.0), seed=st.integers(0, 9))
def test_money_is_rounded_in_the_markets_favour(market, rule, price_rule, k, seed):
    bids, asks = market
    r = double_auction(bids, asks, rule=rule, price_rule=price_rule, k=k, rng=seed)
    assert r.surplus >= 0.0
    if r.sold == 0:
        return
    buyer_price, seller_price = market_prices(bids, asks, r, seed)
    for count, paid in zip(r.awarded.tolist(), r.payments.tolist(), strict=True):
        assert rounds_up_to(paid, exact_value(count, buyer_price)), (count, buyer_price, paid)
    for count, received in zip(r.offer_sold.tolist(), receipts(r).tolist(), strict=True):
        assert rounds_down_to(received, exact_value(count, seller_price)), (count, received)
    paid, received = map(Fraction, r.payments.tolist()), map(Fraction, receipts(r).tolist())
    surplus = sum(paid, Fraction(0)) - sum(received, Fraction(0))
    assert surplus >= 0
    if rule == "uniform":  # equal exact totals: only the directed rounding is left
        bound = Fraction(2) ** -52 * (math.fsum(r.payments) + math.fsum(receipts(r)))
        assert surplus <= bound + Fraction(2) ** -1074 * (len(bids) + len(asks))


@pytest.mark.parametrize(("bought", "sold", "price"), DEFICITS)
def test_uniform_market_never_runs_a_deficit(bought, sold, price):
    # Rounded to nearest, 2 x 0.1 + 1 x 0.1 paid fell 2.8e-17 short of the
    # 3 x 0.1 received (0.30000000000000004), and 3 x 0.7 paid 2.2e-16 short
    # of 1 x 0.7 + 2 x 0.7 received.
    r = double_auction(*one_price_market(bought, sold, price))
    assert r.sold == sum(bought) == sum(sold)
    assert r.surplus >= 0.0
    assert r.surplus <= 2**-52 * (r.revenue + math.fsum(receipts(r)))


def test_price_tenth_keeps_the_crumb():
    r = double_auction(*one_price_market([2, 1], [3], 0.1))
    assert r.payments.tolist() == [0.2, 0.1]
    assert receipts(r).tolist() == [0.3]  # the float below 3 x 0.1, not 0.30000000000000004
    assert r.surplus == 2.7755575615628914e-17


def test_counts_beyond_two_to_53_are_paid_in_full():
    # 2**53 + 1 permits at 1.0: as a float the count is 2**53, and the buyer
    # had paid one less than the exact value.
    r = double_auction(*one_price_market([2**53 + 1], [2**53 + 1], 1.0))
    assert int(r.payments[0]) == 2**53 + 2 and int(receipts(r)[0]) == 2**53
    assert r.surplus == 2.0


def test_exact_products_are_unchanged():
    # Half prices and whole counts: every product is a float, nothing is rounded.
    bids, asks = unit_market([9.5, 8.0, 6.5], [2.5, 3.0, 7.0])
    bids = Bids(bidder=bids.bidder, price=bids.price, quantity=[3, 5, 2])
    asks = Offers(price=asks.price, quantity=[4, 2, 9], seller=asks.seller)
    for rule in ("uniform", "trade_reduction"):
        r = double_auction(bids, asks, rule=rule)
        assert (r.payments == r.awarded * r.clearing_price).all()
        assert r.surplus == math.fsum(r.payments) - math.fsum(receipts(r))


# ------------------------------------------------- McAfee's test on the exact midpoint

BELOW_ONE = float(np.nextafter(1.0, 0.0))  # 1 - 2**-53
ABOVE_ONE = float(np.nextafter(1.0, 2.0))  # 1 + 2**-52


@pytest.mark.parametrize(
    ("buyers", "sellers"),
    [
        # Excluded pair (1 - 2**-53, 1 + 2**-52): the exact midpoint 1 + 2**-54 is
        # above the marginal bid 1.0, but the float sum 2 + 2**-53 rounds to 2.
        ([1.0, BELOW_ONE], [0.5, ABOVE_ONE]),
        # Excluded pair (1 - 2**-53, 1.0): the exact midpoint 1 - 2**-54 is below
        # the marginal ask 1.0, but the float sum 2 - 2**-53 rounds (to even) to 2.
        ([2.0, BELOW_ONE], [1.0, 1.0]),
    ],
)
def test_mcafee_decides_on_the_exact_midpoint(buyers, sellers):
    bid, ask = buyers[1], sellers[1]
    assert (bid + ask) / 2 == 1.0  # the float midpoint would fit
    r = double_auction(*unit_market(buyers, sellers), rule="trade_reduction")
    assert r.sold == 0 and math.isnan(r.clearing_price)
    assert r.payments.tolist() == [0.0, 0.0] and receipts(r).tolist() == [0.0, 0.0]


def test_mcafee_price_is_the_float_nearest_the_exact_midpoint():
    from auctions.double import mcafee_price

    # Excluded pair (1 - 2**-53, 1 + 2**-52) again, now inside [0.5, 2]: the
    # exact midpoint 1 + 2**-54 is nearest to 1.0.
    m = Margins(2.0, BELOW_ONE, 0.5, ABOVE_ONE)
    assert mcafee_price(m) == 1.0
    assert mcafee_price(m._replace(lowest_accepted_bid=1.0)) is None
    assert mcafee_price(m._replace(lowest_rejected_offer=math.nan)) is None


# ------------------------------------------------- k

@pytest.mark.parametrize(
    "k", [np.float32(0.25), np.float64(0.25), Fraction(1, 4), 0.25],
    ids=["float32", "float64", "Fraction", "float"],
)
def test_k_accepts_real_numbers(k):
    bids, asks = unit_market([10.0, 8.0, 5.0], [3.0, 6.0, 9.0])
    r = double_auction(bids, asks, price_rule="k_double", k=k)
    assert r.clearing_price == 6.5 and type(r.clearing_price) is float


@pytest.mark.parametrize("k", [0, 1, np.int64(1), Fraction(1, 1)])
def test_k_accepts_whole_numbers_zero_and_one(k):
    bids, asks = unit_market([10.0, 8.0, 5.0], [3.0, 6.0, 9.0])
    r = double_auction(bids, asks, price_rule="k_double", k=k)
    assert r.clearing_price == 6.0 + 2.0 * int(k) and type(r.clearing_price) is float


@pytest.mark.parametrize("k", ["0.5", None, b"0.5", [0.5], 0.5 + 0j])
def test_k_must_be_a_real_number(k):
    bids, asks = unit_market([10.0, 8.0], [3.0, 6.0])
    with pytest.raises(TypeError, match=r"k must be a real number \(got " + re.escape(repr(k))):
        double_auction(bids, asks, price_rule="k_double", k=k)


@pytest.mark.parametrize("k", [True, False, np.True_])
def test_k_must_not_be_a_bool(k):
    bids, asks = unit_market([10.0, 8.0], [3.0, 6.0])
    with pytest.raises(TypeError, match=r"k must be a real number, not a bool"):
        double_auction(bids, asks, price_rule="k_double", k=k)


@pytest.mark.parametrize(
    "k",
    [math.nan, math.inf, -math.inf, -0.1, 1.5, 2, np.float32("nan"), Fraction(3, 2),
     Fraction(10**20 + 1, 10**20), 10**400],
)
def test_k_must_lie_in_the_unit_interval(k):
    bids, asks = unit_market([10.0, 8.0], [3.0, 6.0])
    with pytest.raises(ValueError, match=r"k must be a number in \[0, 1\] \(got "):
        double_auction(bids, asks, price_rule="k_double", k=k)
