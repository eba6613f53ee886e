"""Property-based tests: each programme preset keeps the invariants of the engine it configures.

Every preset's auction rules (:data:`allocation.programmes.AUCTION_RULES`)
are run through the checkers of :mod:`auctions.invariants` (permits
conserved, money balanced, no winner above its bid), with purchase limits
respected; results are anonymous (relabelling bidders relabels the result)
except under time priority, where only submission order matters. The
programme functions (RGGI's containment steps, UK and EU cancellation and
partial sale, the California-Quebec tie procedure, Guangdong's reserve, the
carry-over of unsold volume, trimming to limits) are checked the same way.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from allocation import Reserve
from allocation.programmes import AUCTION_RULES, rggi
from allocation.programmes import guangdong as guangdong_reserve
from auctions import (
    AuctionResult,
    Bids,
    conserves_permits,
    is_budget_balanced,
    is_individually_rational,
)
from auctions.rules import (
    AuctionRules,
    california_quebec,
    carry_over,
    eu_ets,
    trim_to_limits,
    uk_ets,
)

PRESETS = sorted(AUCTION_RULES)
prices = st.integers(min_value=0, max_value=40).map(lambda x: x / 2)


def unit_of(rules: AuctionRules) -> int:
    """The quantity step of generated bids: whole lots, at least the minimum bid."""
    return max(rules.lot_size, rules.min_bid_quantity or 1, 500)


@st.composite
def preset_cases(draw: st.DrawFn, name: str) -> dict[str, Any]:
    rules = AUCTION_RULES[name]
    unit = unit_of(rules)
    n = draw(st.integers(1, 8))
    labels = [f"b{draw(st.integers(0, 4))}" for _ in range(n)]
    bids = Bids(
        bidder=labels,
        price=[draw(prices) for _ in range(n)],
        quantity=[draw(st.integers(0, 6)) * unit for _ in range(n)],
        time=[float(t) for t in draw(st.permutations(range(n)))],
    )
    limits = None
    if draw(st.booleans()):
        limits = {label: draw(st.integers(0, 8)) * unit for label in sorted(set(labels))}
    return {
        "rules": rules,
        "bids": bids,
        "supply": draw(st.integers(0, 25)) * unit,
        "reserve_price": draw(prices),
        "limits": limits,
        "rng": draw(st.integers(0, 2**32 - 1)),
    }


def run(case: dict[str, Any]) -> AuctionResult:
    rules: AuctionRules = case["rules"]
    return rules.clear(case["bids"], case["supply"], limits=case["limits"], rng=case["rng"],
                       reserve_price=case["reserve_price"])


def assert_invariants(r: AuctionResult) -> None:
    assert conserves_permits(r)
    assert is_budget_balanced(r)
    assert is_individually_rational(r)


@st.composite
def any_preset(draw: st.DrawFn) -> dict[str, Any]:
    return draw(preset_cases(draw(st.sampled_from(PRESETS))))


@given(case=any_preset())
def test_presets_keep_the_engine_invariants_and_the_limits(case):
    r = run(case)
    assert_invariants(r)
    rules: AuctionRules = case["rules"]
    assert (r.awarded % rules.lot_size == 0).all()
    if r.sold:
        assert r.clearing_price >= case["reserve_price"]
        assert (r.bids.price[r.awarded > 0] >= case["reserve_price"]).all()
    totals = r.by_bidder()
    for label, limit in (case["limits"] or {}).items():
        assert totals.get(label, (0, 0.0))[0] <= limit
    if rules.bidder_limit is not None:
        cap = math.floor(Fraction(repr(rules.bidder_limit)) * r.supply)
        assert all(t.awarded <= cap for t in totals.values())


def relabel(case: dict[str, Any], order: list[str]) -> dict[str, Any]:
    labels = sorted(set(case["bids"].bidder.tolist()))
    mapping = dict(zip(labels, order, strict=True))
    bids: Bids = case["bids"]
    renamed = Bids(bidder=[mapping[b] for b in bids.bidder.tolist()], price=bids.price,
                   quantity=bids.quantity, time=bids.time)
    limits = case["limits"]
    if limits is not None:
        limits = {mapping[k]: v for k, v in limits.items()}
    return {**case, "bids": renamed, "limits": limits}


@given(case=any_preset(), data=st.data())
def test_presets_are_anonymous_and_deterministic(case, data):
    labels = sorted(set(case["bids"].bidder.tolist()))
    other = relabel(case, data.draw(st.permutations(labels)))
    a, b, again = run(case), run(other), run(case)
    assert np.array_equal(a.awarded, b.awarded)
    assert np.array_equal(a.awarded, again.awarded)
    assert a.status == b.status
    assert a.clearing_price == b.clearing_price or (
        math.isnan(a.clearing_price) and math.isnan(b.clearing_price))


@given(case=st.sampled_from(["guangdong", "shanghai"]).flatmap(preset_cases), data=st.data())
def test_time_priority_presets_depend_only_on_submission_order(case, data):
    bids: Bids = case["bids"]
    perm = np.array(data.draw(st.permutations(range(len(bids)))))
    assert bids.time is not None
    shuffled = Bids(bidder=bids.bidder[perm], price=bids.price[perm],
                    quantity=bids.quantity[perm], time=bids.time[perm])
    a, b = run(case), run({**case, "bids": shuffled})
    assert np.array_equal(a.awarded[perm], b.awarded)
    assert a.clearing_price == b.clearing_price or math.isnan(a.clearing_price)


# ------------------------------------------------------------ programme functions


@given(data=st.data())
def test_rggi_steps_add_up(data):
    year = data.draw(st.integers(2014, 2032))
    tiers = len(rggi.ccr_triggers(year))
    n = data.draw(st.integers(1, 6))
    bids = Bids(bidder=[f"b{i}" for i in range(n)],
                price=[data.draw(st.integers(0, 80)) / 2 for _ in range(n)],
                quantity=[data.draw(st.integers(0, 5)) * 1000 for _ in range(n)])
    base = data.draw(st.integers(0, 12)) * 1000
    ecr = 0
    if rggi.ecr_trigger(year) is not None:
        ecr = data.draw(st.integers(0, base // 1000)) * 1000
    ccr = tuple(data.draw(st.integers(0, 3)) * 1000 for _ in range(tiers))
    out = rggi.auction(bids, base, year, ccr_quantity=ccr, ecr_quantity=ecr, rng=1)
    r = out.result
    assert_invariants(r)
    assert out.base_sold + out.ecr_sold + sum(out.ccr_sold) == r.sold
    assert out.ecr_sold + out.ecr_withheld == ecr
    assert tuple(s + u for s, u in zip(out.ccr_sold, out.ccr_unsold, strict=True)) == ccr
    if r.sold:
        assert r.clearing_price >= rggi.reserve_price(year)
        if sum(out.ccr_sold):
            assert r.clearing_price >= rggi.ccr_triggers(year)[0]


@given(case=preset_cases("uk_ets"), floor=st.one_of(st.none(), prices))
def test_uk_never_sells_below_the_reserve_or_the_secondary_market_floor(case, floor):
    r = uk_ets.auction(case["bids"], case["supply"], significantly_below=floor, rng=case["rng"])
    assert_invariants(r)
    assert r.status != "cancelled"
    if r.sold:
        assert r.clearing_price >= max(uk_ets.AUCTION_RESERVE_PRICE, floor or 0.0)
        assert r.clearing_price == r.bids.price[r.awarded > 0].min()


@given(case=preset_cases("eu_ets"), floor=st.one_of(st.none(), prices))
def test_eu_sells_all_or_nothing_and_never_under_the_floor(case, floor):
    r = eu_ets.auction(case["bids"], case["supply"], min_price=floor, rng=case["rng"])
    assert_invariants(r)
    assert r.sold in (0, r.supply)
    if r.sold and floor is not None:
        assert r.clearing_price >= floor


@given(case=preset_cases("california_quebec"), data=st.data())
def test_california_quebec_ties_shared_by_bidder_within_one_lot(case, data):
    bids: Bids = case["bids"]
    reserve = case["reserve_price"]
    # A supply below the valid demand, so that the auction clears with a margin.
    valid = int(bids.quantity[bids.price >= reserve].sum()) // 1000
    assume(valid >= 2)
    supply = data.draw(st.integers(1, valid - 1)) * 1000
    r = california_quebec.auction(bids, supply, reserve_price=reserve, rng=case["rng"])
    assert_invariants(r)
    assert r.status == "cleared" and r.sold == supply
    price, lot = r.clearing_price, 1000
    above = int(bids.quantity[bids.price > price].sum())
    remaining = (r.sold - above) // lot
    tied: dict[Any, int] = {}
    for b, p, q in zip(bids.bidder.tolist(), bids.price.tolist(), bids.quantity.tolist(),
                       strict=True):
        if p == price:
            tied[b] = tied.get(b, 0) + q // lot
    total = sum(tied.values())
    won = {k: v.awarded // lot for k, v in r.by_bidder().items()}
    for b, q in tied.items():
        got = won.get(b, 0) - int(bids.quantity[(bids.bidder == b) & (bids.price > price)].sum()
                                  ) // lot
        assert q * remaining // total <= got <= q * remaining // total + 1


@given(data=st.data())
def test_guangdong_reserve_conserves_permits_and_cash(data):
    case = data.draw(preset_cases("guangdong"))
    held = case["supply"] + data.draw(st.integers(0, 3)) * 1000
    reserve = Reserve(permits=held)
    record = guangdong_reserve.reserve_auction(reserve, case["bids"], case["supply"],
                                               reserve_price=case["reserve_price"])
    assert reserve.is_balanced()
    assert reserve.permits == held - record.result.sold  # type: ignore[union-attr]
    assert reserve.permits >= held - case["supply"]


@given(
    volume=st.integers(0, 40), planned=st.lists(st.integers(0, 20), max_size=6),
    over=st.integers(1, 5), cap=st.sampled_from([None, 1.0, 1.25, 2.0]),
)
def test_carry_over_conserves_the_volume_within_the_caps(volume, planned, over, cap):
    assume(planned or volume == 0)
    out = carry_over(volume * 500, [p * 500 for p in planned], over=over, cap=cap, lot_size=500)
    assert sum(out.added) + out.overflow == volume * 500
    k = min(over, len(planned))
    assert all(a == 0 for a in out.added[k:])
    for p, v in zip(planned, out.volumes, strict=True):
        if cap is not None:
            assert v <= math.floor(Fraction(repr(cap)) * p) * 500
    if cap is None and k:
        assert max(out.added[:k]) - min(out.added[:k]) <= 500
        assert out.overflow == 0
    if out.overflow and cap is not None:
        assert all(v == math.floor(Fraction(repr(cap)) * p) * 500
                   for p, v in list(zip(planned, out.volumes, strict=True))[:k])


@given(case=preset_cases("california_quebec"))
def test_trimming_keeps_the_highest_priced_lots_up_to_the_limit(case):
    bids: Bids = case["bids"]
    limits = case["limits"] or {}
    kept = trim_to_limits(bids, limits, lot_size=1000)
    assert (kept.quantity <= bids.quantity).all()
    for label in set(bids.bidder.tolist()):
        rows = bids.bidder == label
        total = int(bids.quantity[rows].sum())
        limit = limits.get(label, total)
        assert int(kept.quantity[rows].sum()) == min(total, limit // 1000 * 1000)
        cut = rows & (kept.quantity < bids.quantity)
        if cut.any():
            highest_cut = bids.price[cut].max()
            assert (kept.quantity[rows & (bids.price < highest_cut)] == 0).all()
