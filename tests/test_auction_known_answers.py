"""Auctions worked by hand: each price rule, each tie rule, lots, limits, Vickrey.

Every expected number below was computed on paper from the rule as the
regulation or textbook states it, not by running the library.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from auctions import FORMATS, Bids, Offers, clear, pay_as_bid, uniform_price, vickrey

ABC = Bids(bidder=["a", "b", "c"], price=[12.0, 10.0, 8.0], quantity=[4, 4, 4])
ABCD = Bids(bidder=["a", "b", "c", "d"], price=[12.0, 10.0, 8.0, 7.0], quantity=[4, 4, 4, 3])


# ------------------------------------------------------------ price rules


def test_last_accepted_is_the_lowest_accepted_bid():
    # 10 permits: a 4 and b 4 above, c gets the last 2 at 8.
    r = uniform_price(ABC, 10)
    assert r.clearing_price == 8.0
    assert r.awarded.tolist() == [4, 4, 2]
    assert r.payments.tolist() == [32.0, 32.0, 16.0]
    assert r.revenue == 80.0


def test_first_rejected_is_the_highest_rejected_bid():
    # 8 permits: a and b are filled exactly; c's bid at 8 is the first rejected.
    r = uniform_price(ABCD, 8, price_rule="first_rejected")
    assert r.awarded.tolist() == [4, 4, 0, 0]
    assert r.clearing_price == 8.0
    assert uniform_price(ABCD, 8, price_rule="last_accepted").clearing_price == 10.0


def test_first_rejected_is_the_marginal_bid_when_it_is_partly_filled():
    # c is partly filled: its unfilled permits are the first rejected, at 8.
    r = uniform_price(ABCD, 10, price_rule="first_rejected")
    assert r.awarded.tolist() == [4, 4, 2, 0]
    assert r.clearing_price == 8.0


def test_first_rejected_is_the_reserve_when_every_bid_is_filled():
    # RGGI: when all bids are filled the price is the reserve price.
    r = uniform_price(ABCD, 20, reserve_price=5.0, price_rule="first_rejected")
    assert r.awarded.tolist() == [4, 4, 4, 3]
    assert r.clearing_price == 5.0
    assert r.status == "undersubscribed"
    assert r.unsold == 5
    last = uniform_price(ABCD, 20, reserve_price=5.0, price_rule="last_accepted")
    assert last.clearing_price == 7.0


def test_bids_below_the_reserve_are_not_valid_and_never_set_the_price():
    # Reserve 9: c (8) and d (7) are invalid; the first rejected valid bid does not exist.
    r = uniform_price(ABCD, 12, reserve_price=9.0, price_rule="first_rejected")
    assert r.awarded.tolist() == [4, 4, 0, 0]
    assert r.clearing_price == 9.0


def test_cost_containment_step_unsold_when_demand_is_below_its_trigger():
    # Base 8 permits at 5, a cost-containment step of 4 at 11.
    # Demand at 11 or more is only a's 4 permits: the base supply clears.
    curve = Offers(price=[5.0, 11.0], quantity=[8, 4])
    r = uniform_price(ABC, curve, price_rule="first_rejected")
    assert r.awarded.tolist() == [4, 4, 0]
    assert r.offer_sold.tolist() == [8, 0]
    assert r.clearing_price == 8.0


def test_cost_containment_step_partly_sold_sets_the_price_at_its_trigger():
    # a 6 at 14, b 4 at 12, c 4 at 8. Demand at >= 11 is 10 permits: the base 8
    # and 2 of the 4 containment permits sell; c (8) is the first rejected bid,
    # below the trigger, so the price is the trigger, 11.
    bids = Bids(bidder=["a", "b", "c"], price=[14.0, 12.0, 8.0], quantity=[6, 4, 4])
    curve = Offers(price=[5.0, 11.0], quantity=[8, 4])
    r = uniform_price(bids, curve, price_rule="first_rejected")
    assert r.awarded.tolist() == [6, 4, 0]
    assert r.offer_sold.tolist() == [8, 2]
    assert r.clearing_price == 11.0
    assert uniform_price(bids, curve, price_rule="last_accepted").clearing_price == 12.0


def test_offer_prices_below_the_reserve_are_raised_to_it():
    curve = Offers(price=[1.0], quantity=[10])
    r = uniform_price(ABCD, curve, reserve_price=9.0, price_rule="first_rejected")
    assert r.clearing_price == 9.0
    assert r.offers.price.tolist() == [9.0]
    assert curve.price.tolist() == [1.0]


# ------------------------------------------------------------ tie rules


TIED = Bids(
    bidder=["top", "x", "y", "z"], price=[10.0, 8.0, 8.0, 8.0], quantity=[3, 4, 4, 4]
)


def test_pro_rata_shares_round_down_and_left_over_lots_go_one_at_a_time():
    # 10 permits: top takes 3; 7 left for x, y, z (4 each, 12 tied).
    # Each share is floor(4 * 7 / 12) = 2; one lot is left over and goes to
    # one of the three, drawn at random.
    winners: Counter[int] = Counter()
    for seed in range(60):
        r = uniform_price(TIED, 10, tie_break="pro_rata", rng=seed)
        awards = r.awarded.tolist()
        assert awards[0] == 3
        assert sorted(awards[1:]) == [2, 2, 3]
        winners[awards[1:].index(3)] += 1
    assert set(winners) == {0, 1, 2}


def test_pro_rata_quebec_example_exact_shares():
    # 10 lots left for tied bids of 8, 6 and 6 lots: shares 4, 3, 3, nothing left.
    bids = Bids(bidder=["p", "q", "r"], price=[20.0, 20.0, 20.0], quantity=[8, 6, 6])
    for seed in range(5):
        assert uniform_price(bids, 10, rng=seed).awarded.tolist() == [4, 3, 3]


def test_random_ties_fill_whole_bids_in_random_order_and_the_last_partly():
    orders = set()
    for seed in range(60):
        r = uniform_price(TIED, 10, tie_break="random", rng=seed)
        awards = r.awarded.tolist()
        assert awards[0] == 3
        assert sorted(awards[1:]) == [0, 3, 4]
        orders.add(tuple(awards[1:]))
    assert len(orders) == 6  # every order of the three tied bids occurs


def test_time_ties_follow_submission_order():
    # Submitted at times 3, 1, 2: y first (4), z next (3), x last (0).
    bids = Bids(
        bidder=["top", "x", "y", "z"],
        price=[10.0, 8.0, 8.0, 8.0],
        quantity=[3, 4, 4, 4],
        time=[0.0, 3.0, 1.0, 2.0],
    )
    assert uniform_price(bids, 10, tie_break="time").awarded.tolist() == [3, 0, 4, 3]
    # Without times, the row order is the submission order.
    assert uniform_price(TIED, 10, tie_break="time").awarded.tolist() == [3, 4, 3, 0]


def test_ties_on_the_offer_side_are_rationed_by_the_same_rule():
    bids = Bids(bidder=["buyer"], price=[10.0], quantity=[5])
    asks = Offers(price=[4.0, 4.0], quantity=[4, 4], seller=["s", "t"])
    r = uniform_price(bids, asks, tie_break="time")
    assert r.offer_sold.tolist() == [4, 1]
    assert r.clearing_price == 10.0


# ------------------------------------------------------------ lots and limits


def test_lots_are_rationed_whole():
    # Lots of 5. a takes 20; 15 permits (3 lots) left for b (4 lots) and c (2 lots):
    # pro rata floor(4*3/6) = 2 lots, floor(2*3/6) = 1 lot.
    bids = Bids(bidder=["a", "b", "c"], price=[12.0, 10.0, 10.0], quantity=[20, 20, 10])
    r = uniform_price(bids, 35, lot_size=5, rng=0)
    assert r.awarded.tolist() == [20, 10, 5]
    assert r.unsold == 0


def test_bidder_limit_removes_the_lowest_priced_lots_first():
    # Limit 25% of 100 = 25. a asks 30 at 10 and 20 at 9: its 20 at 9 go first,
    # then 5 of the 30 at 10.
    bids = Bids(bidder=["a", "a", "b"], price=[10.0, 9.0, 8.0], quantity=[30, 20, 100])
    r = uniform_price(bids, 100, bidder_limit=0.25)
    assert r.awarded.tolist() == [25, 0, 25]
    # Only 50 permits of demand remain within the limits: undersubscribed.
    assert r.status == "undersubscribed"
    assert r.unsold == 50


def test_bidder_limit_uses_the_decimal_share():
    # 0.29 * 100 is 28.999999999999996 in binary floating point; the limit is 29.
    bids = Bids(bidder=["a"], price=[10.0], quantity=[100])
    assert uniform_price(bids, 100, bidder_limit=0.29).awarded.tolist() == [29]


# ------------------------------------------------------------ undersubscription


def test_undersubscribed_sell_fills_every_valid_bid_at_the_lowest_bid():
    # Guangdong-style: 100 permits, floor 5, bids for 50 in all: all filled at 6.
    bids = Bids(bidder=["a", "b", "c"], price=[8.0, 6.0, 4.0], quantity=[30, 20, 40])
    r = uniform_price(bids, 100, reserve_price=5.0)
    assert r.status == "undersubscribed"
    assert r.awarded.tolist() == [30, 20, 0]
    assert r.clearing_price == 6.0
    assert (r.sold, r.unsold) == (50, 50)


def test_undersubscribed_cancel_sells_nothing():
    bids = Bids(bidder=["a", "b"], price=[8.0, 6.0], quantity=[30, 20])
    r = uniform_price(bids, 100, reserve_price=5.0, on_undersubscribed="cancel")
    assert r.status == "cancelled"
    assert r.sold == 0 and r.unsold == 100 and r.revenue == 0.0
    assert math.isnan(r.clearing_price)


def test_minimum_acceptable_price_cancels():
    r = uniform_price(ABC, 10, min_price=9.0)
    assert r.status == "cancelled" and r.sold == 0
    assert uniform_price(ABC, 10, min_price=8.0).clearing_price == 8.0


def test_no_valid_bids():
    r = uniform_price(ABC, 10, reserve_price=50.0)
    assert r.status == "no_valid_bids"
    assert r.sold == 0 and math.isnan(r.clearing_price)


def test_zero_supply_sells_nothing():
    r = uniform_price(ABC, 0)
    assert r.sold == 0 and r.revenue == 0.0 and math.isnan(r.clearing_price)


# ------------------------------------------------------------ payment rules


def test_pay_as_bid_each_winner_pays_its_bid():
    r = pay_as_bid(ABC, 10)
    assert r.payments.tolist() == [48.0, 40.0, 16.0]
    assert r.clearing_price == 8.0  # the stop-out price, reported


def test_vickrey_multi_unit_by_hand():
    # 5 permits. A: 3 at 10. B: 2 at 9, 2 at 4. C: 3 at 6.
    # A wins 3 and displaces C's three units at 6: pays 18.
    # B wins 2 and displaces two of C's units at 6: pays 12.
    bids = Bids(
        bidder=["A", "B", "B", "C"], price=[10.0, 9.0, 4.0, 6.0], quantity=[3, 2, 2, 3]
    )
    r = vickrey(bids, 5)
    totals = r.by_bidder()
    assert totals["A"] == (3, 18.0)
    assert totals["B"] == (2, 12.0)
    assert "C" not in totals
    assert r.revenue == 30.0
    assert r.payments.tolist() == [18.0, 12.0, 0.0, 0.0]


def test_vickrey_never_displaces_the_bidders_own_bids():
    # 3 permits. A bids 10 and 8, B bids 9 and 5, C bids 6. A's own rejected
    # bids do not count: A displaces C's 6 and B's 5 (11), B displaces C's 6.
    bids = Bids(
        bidder=["A", "A", "B", "B", "C"], price=[10.0, 8.0, 9.0, 5.0, 6.0], quantity=[1] * 5
    )
    totals = vickrey(bids, 3).by_bidder()
    assert totals["A"].payment == 11.0
    assert totals["B"].payment == 6.0


def test_vickrey_units_that_would_go_unsold_cost_the_reserve():
    # Same bids, reserve 5.5: B's 5 is invalid. Without A, one permit would go
    # unsold, so A pays C's 6 plus the reserve 5.5.
    bids = Bids(
        bidder=["A", "A", "B", "B", "C"], price=[10.0, 8.0, 9.0, 5.0, 6.0], quantity=[1] * 5
    )
    totals = vickrey(bids, 3, reserve_price=5.5).by_bidder()
    assert totals["A"].payment == 11.5
    assert totals["B"].payment == 6.0


def test_vickrey_with_lots():
    # Lots of 10 permits; same shape as the by-hand example, ten times larger.
    bids = Bids(
        bidder=["A", "B", "B", "C"], price=[10.0, 9.0, 4.0, 6.0], quantity=[30, 20, 20, 30]
    )
    totals = vickrey(bids, 50, lot_size=10).by_bidder()
    assert totals["A"] == (30, 180.0)
    assert totals["B"] == (20, 120.0)


def test_to_frame_and_by_bidder():
    r = uniform_price(ABC, 10)
    frame = r.to_frame()
    assert frame["awarded"].tolist() == [4, 4, 2]
    assert frame["payment"].sum() == r.revenue
    assert list(r.by_bidder()) == ["a", "b", "c"]


def test_engine_is_shared_by_the_formats():
    c = clear(ABC, 10, rng=3)
    for fmt in (uniform_price, pay_as_bid, vickrey):
        r = fmt(ABC, 10, rng=3)
        assert np.array_equal(r.awarded, c.awarded)
        assert r.clearing_price == c.price


def test_result_arrays_are_read_only():
    r = uniform_price(ABC, 10)
    for arr in (r.awarded, r.payments, r.offer_sold, r.bids.price, r.bids.quantity):
        with pytest.raises(ValueError):
            arr[0] = 1


def test_bidder_limits_by_bidder_in_permits():
    # Limits by type of entity: a may win 25 permits, b is not limited.
    bids = Bids(bidder=["a", "a", "b"], price=[10.0, 9.0, 8.0], quantity=[30, 20, 100])
    r = uniform_price(bids, 100, bidder_limit={"a": 25})
    assert r.awarded.tolist() == [25, 0, 75]
    assert r.clearing_price == 8.0
    # In whole lots: a limit of 25 permits is 2 lots of 10.
    lots = uniform_price(bids, 100, bidder_limit={"a": 25}, lot_size=10)
    assert lots.awarded.tolist() == [20, 0, 80]


def test_vickrey_payment_is_not_lost_under_the_bidders_own_units():
    # One bidder asks for 2^50 permits at 4.5; one permit is offered at 1.5.
    # It wins the permit, and the only unit its win displaces is the seller's
    # reservation, 1.5. The bidder's own rejected units (2^50 - 1 at 4.5) lie
    # above it in the pool; subtracting their value (5e15) from the pool's
    # used to leave 0, 1 or 3 instead of 1.5.
    r = vickrey(Bids(bidder=["a"], price=[4.5], quantity=[2**50]),
                Offers(price=[1.5], quantity=[1]))
    assert r.awarded.tolist() == [1]
    assert r.payments.tolist() == [1.5]


def test_vickrey_payments_of_bids_near_the_int64_limit_are_correctly_rounded():
    # Three bids of 2^59 permits at 9, 7 and 5 for 2^59 + 5 permits. The bid
    # at 7 wins 5 and displaces 5 of the bid at 5: 25. The bid at 9 wins 2^59
    # and displaces the 2^59 - 5 rejected at 7 and 5 more at 5: 7 * 2^59 - 10.
    big = 2**59
    r = vickrey(Bids(bidder=["a", "b", "c"], price=[9.0, 7.0, 5.0], quantity=[big] * 3),
                big + 5)
    assert r.awarded.tolist() == [big, 5, 0]
    assert r.payments.tolist() == [float(7 * big - 10), 25.0, 0.0]


@pytest.mark.parametrize("name", ["uniform_price", "pay_as_bid", "vickrey"])
def test_bidder_limit_counts_permits_beyond_float64_exactly(name):
    # Bidder a asks for 2^53 + 1 permits in two bids; the limit is half of
    # 2^54, 2^53. Summed as float64, 2^53 + 1 reads as 2^53 and nothing was
    # trimmed: a kept one permit over its limit.
    bids = Bids(bidder=["a", "a", "b"], price=[10.0, 9.0, 8.0],
                quantity=[2**53, 1, 2**54])
    r = FORMATS[name](bids, 2**54, bidder_limit=0.5)
    assert r.awarded.tolist() == [2**53, 0, 2**53]
    assert {k: v.awarded for k, v in r.by_bidder().items()} == {"a": 2**53, "b": 2**53}


def test_by_bidder_totals_beyond_float64_are_exact():
    bids = Bids(bidder=["a", "a"], price=[10.0, 9.0], quantity=[2**53, 1])
    r = uniform_price(bids, 2**53 + 1)
    assert r.by_bidder()["a"].awarded == 2**53 + 1
