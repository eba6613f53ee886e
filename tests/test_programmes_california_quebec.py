"""California-Quebec presets pinned against 17 CCR 95911-95915 and Q-2, r. 46.1, by hand.

The tie procedure is Quebec's (s. 52, with the steps of ss. 54.1 and 61.5):
each tied bidder's share of its quantity at the settlement price, times the
lots remaining, rounded down; the lots left one each to bidders in a random
order. Reserve prices and tier prices compound 5 % plus inflation a year.
"""

from __future__ import annotations

import pytest

from allocation.programmes import california_quebec as reserve_rules
from auctions import Bids, conserves_permits, is_budget_balanced, is_individually_rational
from auctions.rules import california_quebec as joint

# ------------------------------------------------------------ reserve price schedule


def test_auction_reserve_price_rises_5_percent_plus_inflation():
    # 17 CCR 95911(c)(1), (c)(3)(A): 10.00 in 2012; 10.00 x (1 + 0.05 + 0.017) = 10.67.
    assert joint.reserve_price(2012, {}) == 10.0
    assert joint.reserve_price(2013, {2013: 0.017}) == 10.67
    # 10.67 x 1.07 = 11.4169 -> 11.42.
    assert joint.reserve_price(2014, {2013: 0.017, 2014: 0.02}) == 11.42
    assert joint.auction_reserve_price(10.67, 0.02) == 11.42


def test_no_allowance_sold_below_the_reserve_price():
    # 17 CCR 95911(b)(2): the bid at 22.00 is under the 22.21 reserve.
    bids = Bids(bidder=["a", "b"], price=[30.00, 22.00], quantity=[5000, 5000])
    r = joint.auction(bids, 8000, reserve_price=22.21)
    assert r.awarded.tolist() == [5000, 0]
    assert r.clearing_price == 30.0


# ------------------------------------------------------------ settlement and ties


def test_settlement_price_is_the_lowest_price_awarded():
    # Q-2, r. 46.1, s. 52.
    bids = Bids(bidder=["a", "b", "c"], price=[31.50, 30.00, 28.00],
                quantity=[6000, 6000, 3000])
    r = joint.auction(bids, 10_000, reserve_price=25.87)
    assert r.clearing_price == 30.0
    assert r.awarded.tolist() == [6000, 4000, 0]


def test_undersubscribed_every_bid_filled_at_the_lowest():
    bids = Bids(bidder=["a", "b"], price=[31.50, 28.00], quantity=[6000, 3000])
    r = joint.auction(bids, 10_000, reserve_price=25.87)
    assert (r.clearing_price, r.sold, r.unsold) == (28.0, 9000, 1000)


def test_quebec_tie_steps_on_an_example():
    # 7 lots remain for bidders tied with 5, 3 and 2 lots (10 in all).
    # Shares 5/10, 3/10, 2/10 of 7: 3.5, 2.1, 1.4, rounded down 3, 2, 1 (6
    # lots); the 7th lot goes to the bidder drawn first.
    seen = set()
    for seed in range(40):
        out = joint.tie_shares({"A": 5000, "B": 3000, "C": 2000}, 7000, rng=seed)
        got = (out["A"], out["B"], out["C"])
        assert sum(got) == 7000
        seen.add(got)
    assert seen == {(4000, 2000, 1000), (3000, 3000, 1000), (3000, 2000, 2000)}


def test_quebec_tie_steps_without_a_draw():
    # 10 lots for 8, 6 and 6: 4, 3, 3 exactly.
    assert joint.tie_shares({"a": 8000, "b": 6000, "c": 6000}, 10_000) == {
        "a": 4000, "b": 3000, "c": 3000}


def test_ties_are_shared_between_bidders_not_bids():
    # X wins 3 lots above the settlement price; 7 lots remain for A (bids of
    # 3 and 2 lots at 35.00: 5 lots), B (3) and C (2): the steps above, with A
    # one bidder. A's award fills its first bid first.
    bids = Bids(bidder=["X", "A", "B", "A", "C"], price=[40.0, 35.0, 35.0, 35.0, 35.0],
                quantity=[3000, 3000, 3000, 2000, 2000])
    seen = set()
    for seed in range(40):
        r = joint.auction(bids, 10_000, reserve_price=20.0, rng=seed)
        assert r.clearing_price == 35.0
        by = {k: v.awarded for k, v in r.by_bidder().items()}
        seen.add((by["A"], by["B"], by["C"]))
        assert int(r.awarded[1]) == 3000  # A's first bid is filled before its second
        assert int(r.awarded[3]) == by["A"] - 3000
    assert seen == {(4000, 2000, 1000), (3000, 3000, 1000), (3000, 2000, 2000)}


# ------------------------------------------------------------ purchase limits


def test_purchase_limits_by_entity_type():
    # Q-2, r. 46.1, s. 50: 25 % for an emitter, 4 % for a participant.
    limits = joint.purchase_limits({"plant": "emitter", "fund": "participant"}, 1_000_000)
    assert limits == {"plant": 250_000, "fund": 40_000}


def test_excess_lots_removed_from_the_lowest_price():
    # s. 52: the fund's 100,000 is cut to 40,000: all 30,000 at 40.00 and
    # 10,000 of its 70,000 at 35.00.
    bids = Bids(bidder=["fund", "fund", "plant"], price=[40.00, 35.00, 30.00],
                quantity=[30_000, 70_000, 1_000_000])
    r = joint.auction(bids, 1_000_000, reserve_price=25.87,
                      entity_types={"fund": "participant", "plant": "emitter"})
    assert r.awarded.tolist() == [30_000, 10_000, 250_000]
    assert r.clearing_price == 30.0
    assert conserves_permits(r) and is_budget_balanced(r) and is_individually_rational(r)


# ------------------------------------------------------------ containment reserve and ceiling


def test_tier_prices_and_ceiling():
    # 40, 45, 50 in 2013 (Quebec s. 58); x (1 + 0.05 + 0.02) in 2014:
    # 42.80, 48.15, 53.50. 2021: 41.40 and 53.20; ceiling 65, then
    # 65 x 1.08 = 70.20 with 3 % inflation.
    assert reserve_rules.tier_prices(2013, {}) == (40.0, 45.0, 50.0)
    assert reserve_rules.tier_prices(2014, {2014: 0.02}) == (42.8, 48.15, 53.5)
    assert reserve_rules.tier_prices(2021, {}) == (41.4, 53.2)
    assert reserve_rules.price_ceiling(2021, {}) == 65.0
    assert reserve_rules.price_ceiling(2022, {2022: 0.03}) == 70.2


def test_reserve_sale_offered_at_60_percent_of_the_lowest_tier():
    # 17 CCR 95913(d)(1)(A): 60 % of 41.40 is 24.84.
    assert reserve_rules.reserve_sale_offered(24.84, 2021, {})
    assert not reserve_rules.reserve_sale_offered(24.83, 2021, {})


def test_reserve_sale_rations_an_oversubscribed_tier_pro_rata():
    # Tier 1 (41.40) has 4 lots for requests of 6 and 2 lots: 6 x 4 / 8 = 3
    # and 2 x 4 / 8 = 1 lots of 1,000. Tier 2 (53.20) is not oversubscribed.
    bids = Bids(bidder=["a", "b", "c"], price=[41.40, 41.40, 53.20],
                quantity=[6000, 2000, 1000])
    r = reserve_rules.reserve_sale(bids, [4000, 2000], 2021, {})
    assert r.awarded.tolist() == [3000, 1000, 1000]
    assert r.revenue == pytest.approx(4000 * 41.40 + 1000 * 53.20)


def test_ceiling_sale_at_the_ceiling_within_limits():
    bids = Bids(bidder=["a", "b"], price=[65.0, 70.0], quantity=[4000, 4000])
    r = reserve_rules.ceiling_sale(bids, 10_000, 2021, {}, covered={"a", "b"},
                                   limits={"b": 2000})
    assert r.awarded.tolist() == [4000, 2000]
    assert r.payments.tolist() == [4000 * 65.0, 2000 * 65.0]
    assert r.bids is bids
