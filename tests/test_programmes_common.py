"""The shared parts of the presets, worked by hand: limits, tie steps, carry-over, schedules."""

from __future__ import annotations

import numpy as np

from allocation.programmes import AUCTION_RULES
from auctions import Bids
from auctions.rules import (
    AuctionRules,
    carry_over,
    escalate,
    pool_steps,
    spread_back,
    trim_to_limits,
    weighted_average_price,
)


def test_trim_removes_lowest_prices_first_then_latest_submitted():
    # a: 3,000 at 30 (time 2), 2,000 at 28 (time 1), 2,000 at 28 (time 0);
    # limit 6,000: the 30 bid stays, then the 28 bids by submission time:
    # time 0 keeps 2,000, time 1 keeps 1,000.
    bids = Bids(bidder=["a", "a", "a", "b"], price=[30.0, 28.0, 28.0, 29.0],
                quantity=[3000, 2000, 2000, 5000], time=[2.0, 1.0, 0.0, 3.0])
    kept = trim_to_limits(bids, {"a": 6000, "b": 9000}, lot_size=1000)
    assert kept.quantity.tolist() == [3000, 1000, 2000, 5000]
    assert trim_to_limits(bids, {"b": 9000}) is bids  # nothing to trim


def test_limits_round_down_to_whole_lots():
    bids = Bids(bidder=["a"], price=[30.0], quantity=[5000])
    assert trim_to_limits(bids, {"a": 2999}, lot_size=1000).quantity.tolist() == [2000]


def test_pool_and_spread_back():
    bids = Bids(bidder=["a", "b", "a", "a"], price=[10.0, 10.0, 10.0, 9.0],
                quantity=[3, 6, 2, 4])
    pooled, groups = pool_steps(bids)
    assert groups is not None
    assert pooled.bidder.tolist() == ["a", "b", "a"]
    assert pooled.price.tolist() == [10.0, 10.0, 9.0]
    assert pooled.quantity.tolist() == [5, 6, 4]
    assert groups.tolist() == [0, 1, 0, 2]
    # 4 of a's 5 at 10 go to its first bid (3) then its second (1).
    assert spread_back(np.array([4, 6, 0]), groups, bids.quantity).tolist() == [3, 6, 1, 0]
    assert pool_steps(Bids(bidder=["a", "b"], price=[1.0, 1.0], quantity=[1, 1]))[1] is None


def test_rules_apply_the_common_bidder_limit_with_their_own_limits():
    # A 50 % cap of 10,000 (5,000) and a limit of 3,000 for b: b keeps 3,000.
    rules = AuctionRules(name="t", price_rule="last_accepted", tie_break="time",
                         bidder_limit=0.5)
    bids = Bids(bidder=["a", "b"], price=[30.0, 29.0], quantity=[8000, 8000])
    r = rules.clear(bids, 10_000, limits={"b": 3000})
    assert r.awarded.tolist() == [5000, 3000]
    assert r.bids is bids


def test_carry_over_spreads_and_caps():
    out = carry_over(2_000, [1_000, 1_000, 1_000], over=2, lot_size=100)
    assert out.added == (1_000, 1_000, 0)
    capped = carry_over(2_000, [1_000, 4_000, 1_000], over=2, cap=1.25, lot_size=100)
    # 1,000 each; the first may take 200 (in lots of 100), the second 1,000:
    # the first's excess 800 goes to the second, which has room for 0 more.
    assert capped.added == (200, 1_000, 0)
    assert capped.overflow == 800


def test_escalate_rounds_each_year_half_up():
    # 19.50 x 1.07 = 20.865 -> 20.87; x 1.07 = 22.3309 -> 22.33.
    assert escalate("19.50", [0.07, 0.07]) == 22.33
    assert escalate(13.0, []) == 13.0


def test_weighted_average_price_rounds_half_up():
    # (10.00 + 10.01) / 2 = 10.005 -> 10.01.
    assert weighted_average_price([10.00, 10.01], [1, 1]) == 10.01


def test_registry_holds_every_programme():
    assert sorted(AUCTION_RULES) == [
        "california_quebec", "eu_ets", "guangdong", "rggi", "shanghai", "uk_ets"]
    assert all(rules.sources for rules in AUCTION_RULES.values())
