"""Property-based tests: every registered format through every invariant."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from auctions import (
    FORMATS,
    Bids,
    Offers,
    clear,
    conserves_permits,
    is_budget_balanced,
    is_individually_rational,
    pay_as_bid,
    uniform_price,
)
from tests import strategies as s

formats = pytest.mark.parametrize("name", sorted(FORMATS))


def run(name: str, case: dict[str, Any]) -> Any:
    return FORMATS[name](**case)


@formats
@given(case=s.auction_cases())
def test_permits_are_conserved(name, case):
    r = run(name, case)
    assert conserves_permits(r)
    assert r.sold + r.unsold == (case["supply"] if isinstance(case["supply"], int)
                                 else int(case["supply"].quantity.sum()))
    assert r.awarded.sum() == r.offer_sold.sum()


@formats
@given(case=s.auction_cases())
def test_money_balances_and_nobody_pays_above_its_bid(name, case):
    r = run(name, case)
    assert is_budget_balanced(r)
    assert is_individually_rational(r)
    assert r.revenue == math.fsum(r.payments.tolist())
    per_permit = np.divide(r.payments, r.awarded, out=np.zeros(len(r.awarded)),
                           where=r.awarded > 0)
    assert (per_permit <= r.bids.price * (1 + 1e-9) + 1e-9).all()


@formats
@given(case=s.auction_cases())
def test_price_never_below_the_marginal_offer_or_the_reserve(name, case):
    r = run(name, case)
    if r.sold:
        sold_steps = r.offer_sold > 0
        assert r.clearing_price >= r.offers.price[sold_steps].max()
        assert r.clearing_price >= case["reserve_price"]
        assert (r.bids.price[r.awarded > 0] >= case["reserve_price"]).all()
        assert r.status in ("cleared", "undersubscribed")
    else:
        assert math.isnan(r.clearing_price)


@formats
@given(case=s.auction_cases())
def test_awards_respect_lots_and_bidder_limits(name, case):
    r = run(name, case)
    lot = case["lot_size"]
    assert (r.awarded % lot == 0).all()
    assert (r.awarded <= r.bids.quantity).all()
    if case["bidder_limit"] is not None:
        from fractions import Fraction

        limit = math.floor(Fraction(repr(case["bidder_limit"])) * r.supply) // lot * lot
        assert all(t.awarded <= limit for t in r.by_bidder().values())


@formats
@given(case=s.auction_cases(), data=st.data())
def test_permuting_bidder_labels_permutes_the_result(name, case, data):
    bids: Bids = case["bids"]
    labels = sorted(set(bids.bidder.tolist()))
    renamed = data.draw(st.permutations(labels))
    mapping = dict(zip(labels, renamed, strict=True))
    relabelled = Bids(
        bidder=[mapping[b] for b in bids.bidder.tolist()], price=bids.price, quantity=bids.quantity
    )
    a = run(name, case)
    b = run(name, {**case, "bids": relabelled})
    assert np.array_equal(a.awarded, b.awarded)
    np.testing.assert_allclose(a.payments, b.payments, rtol=1e-12, atol=1e-12)
    assert a.status == b.status
    assert a.clearing_price == b.clearing_price or (
        math.isnan(a.clearing_price) and math.isnan(b.clearing_price)
    )
    by_a, by_b = a.by_bidder(), b.by_bidder()
    assert {mapping[k]: v.awarded for k, v in by_a.items()} == {
        k: v.awarded for k, v in by_b.items()
    }


@formats
@given(case=s.auction_cases(), data=st.data())
def test_raising_a_winning_bid_never_lowers_its_award(name, case, data):
    before = run(name, case)
    winners = np.flatnonzero(before.awarded > 0)
    assume(winners.size > 0)
    i = int(data.draw(st.sampled_from(winners.tolist())))
    bids: Bids = case["bids"]
    price = bids.price.copy()
    price[i] += data.draw(st.sampled_from([0.5, 1.0, 3.0]))
    raised = Bids(bidder=bids.bidder, price=price, quantity=bids.quantity)
    after = run(name, {**case, "bids": raised})
    assert after.awarded[i] >= before.awarded[i]


@given(case=s.auction_cases())
def test_uniform_revenue_never_exceeds_pay_as_bid_revenue(case):
    uniform = uniform_price(**case)
    discriminatory = pay_as_bid(**case)
    assert np.array_equal(uniform.awarded, discriminatory.awarded)
    assert uniform.revenue <= discriminatory.revenue * (1 + 1e-12) + 1e-9


@formats
@given(case=s.auction_cases())
def test_the_same_rng_gives_the_same_result(name, case):
    a, b = run(name, case), run(name, case)
    assert np.array_equal(a.awarded, b.awarded)
    assert np.array_equal(a.payments, b.payments)
    assert a.status == b.status


@given(case=s.auction_cases(), data=st.data())
def test_row_order_does_not_matter_under_time_priority(case, data):
    bids: Bids = case["bids"]
    n = len(bids)
    times = np.arange(n, dtype=float)
    perm = np.array(data.draw(st.permutations(range(n))))
    timed = Bids(bidder=bids.bidder, price=bids.price, quantity=bids.quantity, time=times)
    shuffled = Bids(
        bidder=bids.bidder[perm], price=bids.price[perm], quantity=bids.quantity[perm],
        time=times[perm],
    )
    options = {**case, "tie_break": "time"}
    # Bidder limits trim a bidder's same-price bids in submission order too.
    a = clear(**{**options, "bids": timed})
    b = clear(**{**options, "bids": shuffled})
    assert np.array_equal(a.awarded[perm], b.awarded)
    assert a.status == b.status


@given(case=s.auction_cases())
def test_caller_arrays_are_never_mutated(case):
    price = case["bids"].price.copy()
    quantity = case["bids"].quantity.copy()
    raw_price = price.copy()
    bids = Bids(bidder=case["bids"].bidder, price=raw_price, quantity=quantity)
    uniform_price(**{**case, "bids": bids})
    assert np.array_equal(raw_price, price)
    assert np.array_equal(bids.quantity, quantity)


# ------------------------------------------------------------ a reference on small cases


def reference_clearing(bids: Bids, offers: Offers, reserve: float) -> tuple[int, float, float]:
    """Units traded, lowest accepted and highest rejected bid, by listing every unit."""
    demand = sorted(
        (float(p) for p, q in zip(bids.price, bids.quantity, strict=True) for _ in range(q)
         if p >= max(reserve, min((o for o, k in zip(offers.price, offers.quantity,
                                                      strict=True) if k), default=reserve))),
        reverse=True,
    )
    supply = sorted(
        max(float(p), reserve) for p, q in zip(offers.price, offers.quantity, strict=True)
        for _ in range(q)
    )
    traded = 0
    while traded < min(len(demand), len(supply)) and demand[traded] >= supply[traded]:
        traded += 1
    lowest_accepted = demand[traded - 1] if traded else math.nan
    highest_rejected = demand[traded] if traded < len(demand) else -math.inf
    marginal_offer = supply[traded - 1] if traded else math.nan
    return traded, max(lowest_accepted, marginal_offer), max(highest_rejected, marginal_offer)


@given(bids=s.bids(), supply=s.supplies(), reserve=s.prices, tie=s.tie_breaks)
def test_engine_matches_a_unit_by_unit_reference(bids, supply, reserve, tie):
    offers = supply if isinstance(supply, Offers) else Offers.fixed(supply, price=reserve)
    traded, last, first = reference_clearing(bids, offers, reserve)
    a = clear(bids, supply, reserve_price=reserve, tie_break=tie, rng=1)
    b = clear(bids, supply, reserve_price=reserve, tie_break=tie, rng=1,
              price_rule="first_rejected")
    assert int(a.awarded.sum()) == traded
    if traded:
        assert a.price == last
        assert b.price == first
        # Bids strictly above the marginal price are filled in full, below it not at all.
        marginal = float(bids.price[a.awarded > 0].min())
        above = bids.price > marginal
        assert np.array_equal(a.awarded[above], bids.quantity[above])
        assert not a.awarded[bids.price < marginal].any()
