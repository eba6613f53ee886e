"""Repurchase by reverse auction: known answers, invariants, truthfulness."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auctions import (
    AuctionResult,
    Offers,
    conserves_permits,
    is_budget_balanced,
    is_individually_rational,
    reverse_auction,
)
from tests import strategies as s


def receipts(r: AuctionResult) -> np.ndarray:
    assert r.receipts is not None
    return r.receipts


ASKS = Offers(price=[8.0, 10.0, 11.0, 14.0], quantity=[10, 10, 20, 5], seller=["w", "x", "y", "z"])


def test_demand_and_cap():
    # Cheapest 30 permits at or below 12: w 10, x 10, y 10 of 20; uniform at 11.
    r = reverse_auction(ASKS, demand=30, price_cap=12.0)
    assert r.offer_sold.tolist() == [10, 10, 10, 0]
    assert r.clearing_price == 11.0
    assert receipts(r).tolist() == [110.0, 110.0, 110.0, 0.0]
    assert r.payments.tolist() == [330.0]


def test_cap_excludes_dearer_asks():
    r = reverse_auction(ASKS, demand=100, price_cap=10.5)
    assert r.offer_sold.tolist() == [10, 10, 0, 0]
    assert r.status == "undersubscribed"  # asks at or below the cap fall short of the demand
    assert r.clearing_price == 10.0


def test_first_rejected_pays_the_lowest_rejected_ask_or_the_cap():
    r = reverse_auction(ASKS, demand=20, price_cap=12.0, price_rule="first_rejected")
    assert r.offer_sold.tolist() == [10, 10, 0, 0]
    assert r.clearing_price == 11.0
    everything = reverse_auction(ASKS, demand=100, price_cap=12.0, price_rule="first_rejected")
    assert everything.clearing_price == 12.0


def test_uniform_budget_buys_the_largest_quantity_that_fits():
    # Uniform at the highest accepted ask: 20 permits cost 20 x 10 = 200; in
    # y's step every permit costs 11 each, and 22 x 11 = 242 <= 250 < 23 x 11.
    r = reverse_auction(ASKS, budget=250.0)
    assert r.offer_sold.tolist() == [10, 10, 2, 0]
    assert r.clearing_price == 11.0
    assert r.revenue == 242.0


def test_pay_as_bid_budget():
    # 10 x 8 + 10 x 10 = 180 for 20 permits; 70 left buys 6 more at 11 (66).
    r = reverse_auction(ASKS, budget=250.0, pricing="pay_as_bid")
    assert r.offer_sold.tolist() == [10, 10, 6, 0]
    assert r.revenue == 246.0
    assert receipts(r).tolist() == [80.0, 100.0, 66.0, 0.0]


def test_budget_with_first_rejected_pricing():
    # q permits cost q x (the next ask): 22 x 11 = 242 fits, 23 x 11 = 253 does not.
    r = reverse_auction(ASKS, budget=250.0, price_rule="first_rejected")
    assert r.offer_sold.tolist() == [10, 10, 2, 0]
    assert r.revenue == 242.0


def test_tied_asks_are_rationed():
    asks = Offers(price=[5.0, 5.0], quantity=[10, 10], seller=["a", "b"])
    assert reverse_auction(asks, demand=10, rng=0).offer_sold.tolist() == [5, 5]
    assert reverse_auction(asks, demand=10, tie_break="time").offer_sold.tolist() == [10, 0]


def test_proportional_share_by_hand():
    # Budget 10. A: 3 permits at 1, B: 1 permit at 2. Taking A: 1 <= 10/3; taking
    # B: 2 <= 10/4. Both win. A's threshold: max(min(2, 10/3), min(inf, 10/4)) = 2.5,
    # paid 3 x 2.5; B's: max(min(1, 10/1), min(inf, 10/4)) = 2.5. The budget is spent.
    asks = Offers(price=[1.0, 2.0], quantity=[3, 1], seller=["A", "B"])
    r = reverse_auction(asks, budget=10.0, pricing="proportional_share")
    assert r.offer_sold.tolist() == [3, 1]
    assert receipts(r).tolist() == [7.5, 2.5]
    assert r.revenue == 10.0


def test_proportional_share_stops_at_the_first_ask_above_its_share():
    # Budget 6, one permit each at 1 and 4: 4 > 6/2, so only A sells, at its
    # threshold min(4, 6/1) = 4.
    asks = Offers(price=[1.0, 4.0], quantity=[1, 1], seller=["A", "B"])
    r = reverse_auction(asks, budget=6.0, pricing="proportional_share")
    assert r.offer_sold.tolist() == [1, 0]
    assert receipts(r).tolist() == [4.0, 0.0]


@st.composite
def asks(draw: st.DrawFn, max_steps: int = 6) -> Offers:
    n = draw(st.integers(1, max_steps))
    return Offers(
        price=draw(st.lists(s.prices, min_size=n, max_size=n)),
        quantity=draw(st.lists(st.integers(0, 8), min_size=n, max_size=n)),
        seller=[f"s{i}" for i in range(n)],
    )


money = st.integers(0, 400).map(lambda x: x / 4)


@given(
    offers=asks(),
    demand=st.one_of(st.none(), st.integers(0, 40)),
    budget=st.one_of(st.none(), money),
    cap=st.one_of(st.none(), s.prices),
    pricing=st.sampled_from(["uniform", "pay_as_bid"]),
    rule=s.price_rules,
    tie=s.tie_breaks,
    seed=st.integers(0, 1000),
)
def test_repurchase_limits_hold(offers, demand, budget, cap, pricing, rule, tie, seed):
    if demand is None and budget is None and cap is None:
        demand = 10
    r = reverse_auction(offers, demand=demand, budget=budget, price_cap=cap, pricing=pricing,
                        price_rule=rule, tie_break=tie, rng=seed)
    assert conserves_permits(r) and is_budget_balanced(r) and is_individually_rational(r)
    sold = r.offer_sold
    # Never pays a seller less than its ask, never above the cap.
    assert (receipts(r) >= sold * offers.price - 1e-9).all()
    if cap is not None:
        assert (receipts(r) <= sold * cap + 1e-9).all()
        assert not sold[offers.price > cap].any()
    if demand is not None:
        assert sold.sum() <= demand
    if budget is not None:
        assert r.revenue <= budget
    assert r.revenue == pytest.approx(math.fsum(receipts(r).tolist()))
    # Cheapest first: nothing is bought at a price above an ask left unsold.
    if sold.any():
        unsold_asks = offers.price[(sold < offers.quantity)]
        if cap is not None:
            unsold_asks = unsold_asks[unsold_asks <= cap]
        assert (offers.price[sold > 0].max() <= unsold_asks).all()


def reference_budget_quantity(offers: Offers, budget: float, cap: float | None,
                              pricing: str, rule: str) -> int:
    """The largest affordable quantity, by listing every permit and trying each count
    in exact rationals."""
    units = sorted(Fraction(float(p)) for p, q in zip(offers.price, offers.quantity, strict=True)
                   for _ in range(q) if cap is None or p <= cap)
    ceiling = Fraction(cap) if cap is not None else max(units, default=Fraction(0))
    best = 0
    for q in range(len(units) + 1):
        if pricing == "pay_as_bid":
            cost = sum(units[:q], Fraction(0))
        elif rule == "last_accepted":
            cost = q * units[q - 1] if q else Fraction(0)
        else:
            cost = q * (min(units[q], ceiling) if q < len(units) else ceiling)
        if cost <= Fraction(budget):
            best = q
    return best


@given(offers=asks(), budget=money, cap=st.one_of(st.none(), s.prices),
       pricing=st.sampled_from(["uniform", "pay_as_bid"]), rule=s.price_rules)
def test_budget_quantity_matches_a_brute_force_reference(offers, budget, cap, pricing, rule):
    r = reverse_auction(offers, budget=budget, price_cap=cap, pricing=pricing, price_rule=rule,
                        rng=0)
    assert r.sold == reference_budget_quantity(offers, budget, cap, pricing, rule)


@given(offers=asks(max_steps=5), budget=money)
def test_proportional_share_is_budget_feasible_and_rational(offers, budget):
    r = reverse_auction(offers, budget=budget, pricing="proportional_share")
    assert sum(map(Fraction, receipts(r).tolist()), Fraction(0)) <= Fraction(budget)
    assert r.revenue <= budget
    assert all(Fraction(x) >= Fraction(float(p)) * int(n) for x, p, n in
               zip(receipts(r).tolist(), offers.price, r.offer_sold, strict=True))
    assert np.isin(r.offer_sold, [0, *offers.quantity.tolist()]).all()
    assert conserves_permits(r) and is_budget_balanced(r)


GRID = [x / 2 for x in range(0, 21)]


@given(
    costs=st.lists(st.sampled_from(GRID), min_size=1, max_size=4),
    sizes=st.lists(st.integers(1, 4), min_size=4, max_size=4),
    budget=st.integers(1, 40).map(float),
    who=st.integers(0, 3),
)
def test_proportional_share_no_seller_gains_by_misreporting(costs, sizes, budget, who):
    n = len(costs)
    who %= n
    quantity = sizes[:n]

    def utility(report: float):
        prices = list(costs)
        prices[who] = report
        r = reverse_auction(Offers(price=prices, quantity=quantity, seller=list(range(n))),
                            budget=budget, pricing="proportional_share")
        return float(receipts(r)[who]) - float(r.offer_sold[who]) * costs[who]

    honest = utility(costs[who])
    assert honest >= -1e-9
    for report in GRID:
        assert utility(report) <= honest + 1e-9, report


def test_an_empty_ask_does_not_set_the_price():
    # Without a cap the regulator bids the highest ask that has permits: an ask
    # for no permits at 1000 had priced the purchase at 1000 under first_rejected.
    offers = Offers(price=[1.0, 1000.0], quantity=[1, 0])
    for limit in ({"demand": 1}, {"budget": 5000.0}):
        r = reverse_auction(offers, price_rule="first_rejected", **limit)
        assert r.clearing_price == 1.0 and receipts(r).tolist() == [1.0, 0.0]
    r = reverse_auction(Offers(price=[1.0, 1.0, 1000.0], quantity=[5, 5, 0]), budget=100.0,
                        price_rule="first_rejected")
    assert r.sold == 10


def test_a_budget_of_billions_is_never_exceeded_by_a_cent():
    # 10**9 permits asked at 40 against 40 billion less 4 cents: all of them
    # would cost 4 cents too much, so one permit fewer is bought.
    budget = 40e9 - 0.04
    for pricing in ("uniform", "pay_as_bid"):
        r = reverse_auction(Offers(price=[40.0], quantity=[10**9]), budget=budget,
                            pricing=pricing)
        assert r.sold == 10**9 - 1 and r.revenue <= budget


def test_pay_as_bid_budget_is_compared_with_the_exact_cost():
    # 10**5 asks of one permit at 0.1: their exact cost, 10000.000000000000555, fits
    # a budget of 10000.0000000001, but their float running sum (10000.0000000188)
    # does not.
    n = 10**5
    r = reverse_auction(Offers(price=np.full(n, 0.1), quantity=np.ones(n, dtype=int)),
                        budget=10000.0000000001, pricing="pay_as_bid")
    assert Fraction(0.1) * n <= Fraction(10000.0000000001)
    assert r.sold == n


def test_proportional_share_pays_within_the_budget_exactly():
    r = reverse_auction(Offers(price=[0.0, 0.0, 0.0], quantity=[1, 1, 5]), budget=0.3,
                        pricing="proportional_share")
    assert r.sold == 7 and r.revenue <= 0.3
    assert sum(map(Fraction, receipts(r).tolist()), Fraction(0)) <= Fraction(0.3)
    # 13 permits at 0.7153846153846155 cost more than 9.3 exactly (the float
    # product rounds down to 9.3): the seller must lose, not be paid below its ask.
    assert Fraction(0.7153846153846155) * 13 > Fraction(9.3)
    r = reverse_auction(Offers(price=[0.7153846153846155], quantity=[13]), budget=9.3,
                        pricing="proportional_share")
    assert r.sold == 0
    with pytest.raises(ValueError, match=r"takes no lot_size \(got 5\)"):
        reverse_auction(Offers(price=[1.0], quantity=[5]), budget=9.3, lot_size=5,
                        pricing="proportional_share")
