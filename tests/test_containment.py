"""Containment reserves: RGGI's CCR and ECR as offer steps, California-Quebec tiers.

Hand-worked answers follow the rule: the supply curve is the base at the
reserve price (less the ECR), the ECR at its trigger, the CCR at its trigger;
the price is the highest rejected bid (RGGI), never below the marginal step.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation.containment import (
    CALIFORNIA_2013_TIERS,
    CALIFORNIA_2021_TIERS,
    containment_auction,
    containment_offers,
    price_containment_tiers,
    reserve_sale_offered,
    rggi_auction,
    rggi_ccr_quantity,
    rggi_ecr_quantity,
    rggi_prices,
    tier_sale,
)
from auctions import Bids, conserves_permits, is_budget_balanced, is_individually_rational

# ------------------------------------------------------------ RGGI's numbers


def _rggi_reference(start: str, rate: str, years: int) -> float:
    """Raised ``years`` times, rounded half up to the cent each time, in rationals."""
    price, factor = Fraction(start), 1 + Fraction(rate)
    for _ in range(years):
        cents = price * factor * 100
        price = Fraction(math.floor(cents + Fraction(1, 2)), 100)
    return float(price)


@pytest.mark.parametrize("year", [2030, 2300, 2868, 9999])
def test_rggi_prices_far_ahead_match_the_escalation_in_rationals(year: int):
    # The 7 % escalation outgrows 28 decimal digits in 2868 (it had raised
    # InvalidOperation there); it is computed exactly to the last year allowed.
    prices = rggi_prices(year)
    assert prices.reserve_price == _rggi_reference("2.00", "0.025", year - 2014)
    assert prices.ccr_trigger == _rggi_reference("13.00", "0.07", year - 2021)
    assert prices.ecr_trigger == _rggi_reference("6.00", "0.07", year - 2021)


def test_rggi_trigger_tables_2018_to_2030():
    # Rhode Island 250-RICR-120-05-47, tables 1 and 2 (the 2029 ECR entry is
    # printed "$0.30" there; 9.63 x 1.07 = 10.3041 -> 10.30).
    ccr = [10.25, 10.51, 10.77, 13.00, 13.91, 14.88, 15.92, 17.03, 18.22, 19.50, 20.87,
           22.33, 23.89]
    ecr = [6.00, 6.42, 6.87, 7.35, 7.86, 8.41, 9.00, 9.63, 10.30, 11.02]
    assert [rggi_prices(y).ccr_trigger for y in range(2018, 2031)] == ccr
    assert [rggi_prices(y).ecr_trigger for y in range(2021, 2031)] == ecr
    assert rggi_prices(2020).ecr_trigger is None


def test_rggi_minimum_reserve_price_by_hand():
    # 2.00 in 2014, x 1.025 a year to the nearest cent, halves up:
    # 2.05, 2.1025 -> 2.10, 2.1525 -> 2.15, 2.20375 -> 2.20, 2.255 -> 2.26,
    # 2.3165 -> 2.32, 2.378 -> 2.38, 2.4395 -> 2.44, 2.501 -> 2.50, 2.5625 -> 2.56.
    expected = [2.00, 2.05, 2.10, 2.15, 2.20, 2.26, 2.32, 2.38, 2.44, 2.50, 2.56]
    assert [rggi_prices(y).reserve_price for y in range(2014, 2025)] == expected


def test_rggi_ccr_before_2018():
    assert [rggi_prices(y).ccr_trigger for y in range(2014, 2018)] == [4.0, 6.0, 8.0, 10.0]


def test_rggi_quantities():
    assert rggi_ccr_quantity(2014) == 5_000_000
    assert rggi_ccr_quantity(2020) == 10_000_000
    assert rggi_ccr_quantity(2021, cap=75_147_784) == 7_514_778  # 10 %, rounded down
    assert rggi_ecr_quantity(2021, 50_000_000) == 5_000_000
    assert rggi_ecr_quantity(2019, 50_000_000) == 0


# ------------------------------------------------------------ the offer steps


def test_offer_steps():
    curve = containment_offers(1_000, reserve_price=2.38, ecr_trigger=6.0, ecr_quantity=100,
                               ccr_trigger=13.0, ccr_quantity=75)
    assert curve.seller is not None
    assert curve.seller.tolist() == ["base", "ecr", "ccr"]
    assert curve.price.tolist() == [2.38, 6.0, 13.0]
    assert curve.quantity.tolist() == [900, 100, 75]
    assert containment_offers(50).quantity.tolist() == [50]


# ------------------------------------------------------------ CCR by hand


def test_ccr_partly_sold_price_is_the_trigger():
    # Base 100 at 2.38, CCR 10 at 13. a 60 at 20, b 45 at 14, c 30 at 8.
    # Demand at 13 or more: 105, so the base and 5 CCR permits sell; the first
    # rejected bid, c at 8, is below the trigger: the price is the trigger, 13.
    bids = Bids(bidder=["a", "b", "c"], price=[20.0, 14.0, 8.0], quantity=[60, 45, 30])
    out = containment_auction(bids, 100, reserve_price=2.38, ccr_trigger=13.0, ccr_quantity=10)
    assert out.result.awarded.tolist() == [60, 45, 0]
    assert (out.base_sold, out.ccr_sold, out.ccr_unsold) == (100, 5, 5)
    assert out.clearing_price == 13.0
    assert out.result.revenue == 105 * 13.0


def test_ccr_unsold_when_demand_stays_below_the_trigger():
    # Demand at 13 or more is 60 < 100: the CCR does not sell; 100 base permits
    # go to a (60) and b (40 of 45); b's rejected 5 at 12 set the price.
    bids = Bids(bidder=["a", "b", "c"], price=[20.0, 12.0, 8.0], quantity=[60, 45, 30])
    out = containment_auction(bids, 100, reserve_price=2.38, ccr_trigger=13.0, ccr_quantity=10)
    assert (out.base_sold, out.ccr_sold, out.ccr_unsold) == (100, 0, 10)
    assert out.clearing_price == 12.0


def test_ccr_exhausted_price_above_the_trigger():
    # Demand at 16 or more is 120 > 110 offered: all CCR sells; a and b (110)
    # are filled, c at 16 is the first rejected: price 16 >= 13.
    bids = Bids(bidder=["a", "b", "c"], price=[30.0, 20.0, 16.0], quantity=[60, 50, 10])
    out = containment_auction(bids, 100, reserve_price=2.38, ccr_trigger=13.0, ccr_quantity=10)
    assert (out.base_sold, out.ccr_sold, out.ccr_unsold) == (100, 10, 0)
    assert out.clearing_price == 16.0


def test_annual_ccr_limit_across_quarterly_auctions():
    # 15 CCR permits for the year. Each quarter demand at >= 13 exceeds the base
    # by 10: the first two quarters sell 10 and 5, the last two none.
    bids = Bids(bidder=["a", "b"], price=[20.0, 14.0], quantity=[100, 10])
    left, sold = 15, []
    for _quarter in range(4):
        out = rggi_auction(bids, 100, 2021, ccr_quantity=left)
        sold.append(out.ccr_sold)
        left -= out.ccr_sold
    assert sold == [10, 5, 0, 0] and left == 0


# ------------------------------------------------------------ ECR by hand


def test_ecr_partly_withheld_price_is_the_trigger():
    # 2021: 1,000 base, 100 withholdable at 6.00. Bids 600 at 9 and 350 at 6.50:
    # 950 demanded at >= 6, so the ECR step sells 50 and withholds 50; every
    # bid is filled, so the price is the marginal step's, the ECR trigger.
    bids = Bids(bidder=["a", "b"], price=[9.0, 6.5], quantity=[600, 350])
    out = rggi_auction(bids, 1_000, 2021, ecr_quantity=100)
    assert (out.base_sold, out.ecr_sold, out.ecr_withheld) == (900, 50, 50)
    assert out.clearing_price == 6.0


def test_ecr_fully_withheld_when_demand_is_weak():
    # Demand 850 at 9 < 900 base: the base is undersubscribed, the ECR withholds
    # all 100, and the price falls to the reserve price 2.38 (no rejected bid).
    bids = Bids(bidder=["a"], price=[9.0], quantity=[850])
    out = rggi_auction(bids, 1_000, 2021, ecr_quantity=100)
    assert (out.base_sold, out.ecr_sold, out.ecr_withheld) == (850, 0, 100)
    assert out.clearing_price == 2.38


def test_ecr_fully_sold_when_demand_is_strong():
    bids = Bids(bidder=["a", "b"], price=[9.0, 7.0], quantity=[900, 200])
    out = rggi_auction(bids, 1_000, 2021, ecr_quantity=100)
    # 1,000 sold; b gets 100 of 200 and its 100 rejected at 7 set the price.
    assert (out.ecr_sold, out.ecr_withheld) == (100, 0)
    assert out.clearing_price == 7.0


def test_rggi_auction_through_the_reserve_account():
    # The reserve holds the 1,000 base permits and sets aside 75 CCR permits
    # beyond the cap. Demand is weak (850 at 9): 850 sell at 2.38, the ECR's
    # 100 are withheld and cancelled, the CCR stays.
    from allocation.reserve import Reserve

    reserve = Reserve(permits=1_000)
    reserve.set_aside(75, note="2021 CCR")
    out = rggi_auction(Bids(bidder=["a"], price=[9.0], quantity=[850]), 1_000, 2021,
                       ccr_quantity=75, ecr_quantity=100)
    reserve.book_sale(out.result)
    reserve.cancel(out.ecr_withheld, note="ECR withheld")
    assert (reserve.permits, reserve.circulation, reserve.cancelled) == (125, 850, 100)
    assert reserve.cash_cents == 850 * 238
    assert reserve.issued == 1_075 and reserve.is_balanced()


# ------------------------------------------------------------ California-Quebec tiers


def test_tier_sale_by_hand():
    # 2013 tiers 40 / 45 / 50 with 100 each. Tier 1: 150 requested -> pro rata
    # 60 (of 90) and 40 (of 60). Tier 2: 30 requested -> 30. Tier 3: none.
    tiers = price_containment_tiers(CALIFORNIA_2013_TIERS, [100, 100, 100])
    bids = Bids(bidder=["a", "b", "a"], price=[40.0, 40.0, 45.0], quantity=[90, 60, 30])
    r = tier_sale(bids, tiers)
    assert r.awarded.tolist() == [60, 40, 30]
    assert r.payments.tolist() == [2_400.0, 1_600.0, 1_350.0]
    assert r.offer_sold.tolist() == [100, 30, 0]
    assert r.clearing_price == 45.0 and r.status == "undersubscribed"
    assert conserves_permits(r) and is_budget_balanced(r) and is_individually_rational(r)


def test_tier_sale_bids_name_their_tier():
    tiers = price_containment_tiers(CALIFORNIA_2021_TIERS, [10, 10])
    with pytest.raises(ValueError, match=r"price must be a tier price .* \(got 45.0 at index 1\)"):
        tier_sale(Bids(bidder=["a", "b"], price=[41.4, 45.0], quantity=[1, 1]), tiers)


def test_reserve_sale_offered_at_60_percent_of_the_lowest_tier():
    # 0.6 x 41.40 = 24.84.
    assert reserve_sale_offered(24.84, 41.40)
    assert not reserve_sale_offered(24.83, 41.40)


# ------------------------------------------------------------ properties

grid = st.integers(1, 40).map(lambda x: x / 2)


@st.composite
def containment_cases(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 8))
    bids = Bids(
        bidder=[f"b{draw(st.integers(0, 3))}" for _ in range(n)],
        price=draw(st.lists(grid, min_size=n, max_size=n)),
        quantity=draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)),
    )
    reserve, ecr, ccr = sorted(draw(st.lists(grid, min_size=3, max_size=3, unique=True)))
    base = draw(st.integers(0, 60))
    return {
        "bids": bids, "base_supply": base, "reserve_price": reserve,
        "ecr_trigger": ecr, "ecr_quantity": draw(st.integers(0, base)),
        "ccr_trigger": ccr, "ccr_quantity": draw(st.integers(0, 30)),
        "price_rule": draw(st.sampled_from(["first_rejected", "last_accepted"])),
        "tie_break": draw(st.sampled_from(["pro_rata", "random", "time"])),
        "rng": draw(st.integers(0, 99)),
    }


@given(case=containment_cases())
def test_containment_never_sells_below_its_trigger(case):
    out = containment_auction(**case)
    r = out.result
    assert conserves_permits(r) and is_budget_balanced(r) and is_individually_rational(r)
    if out.ccr_sold:
        assert r.clearing_price >= case["ccr_trigger"]
    if out.ecr_sold:
        assert r.clearing_price >= case["ecr_trigger"]
    if r.sold:
        assert r.clearing_price >= case["reserve_price"]
        # No winner pays less per permit than the dearest step it drew on.
        paid = r.payments[r.awarded > 0] / r.awarded[r.awarded > 0]
        top = float(r.offers.price[r.offer_sold > 0].max())
        assert (paid >= top - 1e-9).all()


@given(case=containment_cases())
def test_ecr_withheld_permits_are_never_sold_in_that_auction(case):
    out = containment_auction(**case)
    r = out.result
    ecr_q, base = case["ecr_quantity"], case["base_supply"]
    assert out.ecr_sold + out.ecr_withheld == ecr_q
    assert out.base_sold <= base - ecr_q  # the base step never reaches into the ECR
    assert r.sold == out.base_sold + out.ecr_sold + out.ccr_sold
    assert r.sold <= base - out.ecr_withheld + case["ccr_quantity"]
    if not math.isnan(r.clearing_price) and r.clearing_price < case["ecr_trigger"]:
        assert out.ecr_sold == 0 and out.ecr_withheld == ecr_q
    # Every permit offered is sold, withheld, left in the CCR or left in the base.
    left_in_base = base - ecr_q - out.base_sold
    assert r.sold + out.ecr_withheld + out.ccr_unsold + left_in_base == (
        base + case["ccr_quantity"]
    )


@given(
    quantities=st.lists(st.integers(0, 20), min_size=1, max_size=3),
    data=st.data(),
    seed=st.integers(0, 99),
)
def test_tier_sale_sells_each_tier_at_its_price(quantities, data, seed):
    k = len(quantities)
    prices = [40.0 + 5 * i for i in range(k)]
    tiers = price_containment_tiers(prices, quantities)
    n = data.draw(st.integers(1, 6))
    bids = Bids(
        bidder=data.draw(st.lists(st.sampled_from("xyz"), min_size=n, max_size=n)),
        price=data.draw(st.lists(st.sampled_from(prices), min_size=n, max_size=n)),
        quantity=data.draw(st.lists(st.integers(0, 15), min_size=n, max_size=n)),
    )
    r = tier_sale(bids, tiers, rng=seed)
    assert (r.payments == r.awarded * bids.price).all()  # each at its tier's fixed price
    assert (r.offer_sold <= tiers.quantity).all()
    for t, price in enumerate(prices):
        mine = bids.price == price
        asked = int(bids.quantity[mine].sum())
        assert r.offer_sold[t] == min(asked, quantities[t]) == int(r.awarded[mine].sum())
    assert conserves_permits(r) and np.all(r.awarded <= bids.quantity)
