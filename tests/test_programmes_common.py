"""The shared parts of the presets, worked by hand: limits, tie steps, carry-over, schedules."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given

from allocation.programmes import AUCTION_RULES
from auctions import Bids, uniform_price
from auctions.rules import (
    AuctionRules,
    carry_over,
    escalate,
    trim_to_limits,
    weighted_average_price,
)
from tests import strategies as s


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


def test_ties_shared_by_bidder_then_over_its_bids():
    # At 10: a bids 3 and 2 (rows 0 and 2), b bids 5; 6 lots are left. By
    # bidder (Quebec): a and b each ask 5 of 10, so each gets 3, and a's 3
    # fill its first bid. By bid: 3*6/10, 5*6/10, 2*6/10 round down to 1, 3, 1.
    bids = Bids(bidder=["a", "b", "a", "a"], price=[10.0, 10.0, 10.0, 9.0],
                quantity=[3, 5, 2, 4])
    by_bidder = uniform_price(bids, 6, ration_by="bidder", rng=0)
    assert by_bidder.awarded.tolist() == [3, 3, 0, 0]
    by_bid = uniform_price(bids, 6, rng=0)
    assert by_bid.awarded[[0, 1, 2]].tolist() in ([2, 3, 1], [1, 4, 1], [1, 3, 2])
    # Time priority between bidders uses each bidder's first submission: a
    # (time 0) is filled before b (time 1), its bid at time 0 before its bid
    # at time 5.
    timed = Bids(bidder=bids.bidder, price=bids.price, quantity=bids.quantity,
                 time=[5.0, 1.0, 0.0, 9.0])
    assert uniform_price(timed, 6, tie_break="time", ration_by="bidder").awarded.tolist() == [
        3, 1, 2, 0]


def _pooled_reference(case: dict[str, Any]) -> np.ndarray:
    """Quebec's tie steps done by hand: pool each bidder's bids at one price,
    clear the pooled steps, then fill each pool's award over its bids by time.
    A bid of no permits is no bid: it joins no pool."""
    bids: Bids = case["bids"]
    rows = [i for i in range(len(bids)) if bids.quantity[i] > 0]
    awarded = np.zeros(len(bids), dtype=np.int64)
    if not rows:
        return awarded
    time = bids.time if bids.time is not None else np.arange(len(bids), dtype=float)
    key = {i: (bids.bidder[i], bids.price[i]) for i in rows}
    pools = list(dict.fromkeys(key.values()))
    members = {k: [i for i in rows if key[i] == k] for k in pools}
    pooled = Bids(
        bidder=[k[0] for k in pools], price=[k[1] for k in pools],
        quantity=[int(bids.quantity[members[k]].sum()) for k in pools],
        time=[float(min(time[members[k]])) for k in pools],
    )
    result = uniform_price(**{**case, "bids": pooled, "ration_by": "bid"})
    for k, total in zip(pools, result.awarded.tolist(), strict=True):
        for i in sorted(members[k], key=lambda i: (time[i], i)):
            awarded[i] = min(int(bids.quantity[i]), total)
            total -= int(awarded[i])
    return awarded


@given(case=s.auction_cases())
def test_ration_by_bidder_equals_pooling_by_hand(case):
    # Bidder limits trim a pooled step as a whole, not bid by bid, so the
    # reference holds without them.
    case = {**case, "bidder_limit": None}
    engine = uniform_price(**{**case, "ration_by": "bidder"})
    assert np.array_equal(engine.awarded, _pooled_reference(case))


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
