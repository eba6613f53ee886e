"""Compliance: surrender, offsets, penalties, banking, borrowing and retention."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation.abatement import LinearMAC
from allocation.compliance import (
    ACID_RAIN,
    EU_ETS,
    EU_ETS_PHASE_1,
    NO_PENALTY,
    PENALTY_RULES,
    THREE_FOR_ONE,
    THREE_TIMES_PRICE,
    balances,
    next_period,
    respects_limits,
    retention_limit,
    surrender,
)
from allocation.market import equilibrium

# ------------------------------------------------------------ regulations


def test_penalty_rules_carry_the_regulatory_numbers():
    assert EU_ETS.per_tonne == 100.0 and EU_ETS.make_good == 1  # 2003/87/EC Art. 16(3)
    assert EU_ETS_PHASE_1.per_tonne == 40.0  # Art. 16(4), 2005-2007
    assert ACID_RAIN.per_tonne == 2000.0 and ACID_RAIN.make_good == 1  # 42 USC 7651j
    assert THREE_FOR_ONE.make_good == 3 and THREE_FOR_ONE.per_tonne == 0.0
    assert THREE_TIMES_PRICE.rate(20.0) == 60.0
    assert NO_PENALTY.rate() == 0.0
    assert set(PENALTY_RULES.values()) >= {EU_ETS, ACID_RAIN, THREE_FOR_ONE}


# ------------------------------------------------------------ hand-worked


def test_chongqing_offsets_by_hand():
    # Obligation 1,000 t; offsets may cover 10 % = 100; at least 60 % of the
    # offsets used must be local. Firm 0: 80 local + 100 other -> 80 + 20.
    # Firm 1: 30 local + 100 other -> others at most 30 * 0.4/0.6 = 20 -> 50 in all.
    # Firm 2: no local offsets -> none usable.
    s = surrender(
        [1000, 1000, 1000],
        [850, 850, 850],
        offsets=[180, 130, 100],
        local_offsets=[80, 30, 0],
        offset_limit=0.1,
        local_share=0.6,
    )
    assert s.offsets_surrendered.tolist() == [100, 50, 0]
    assert s.local_offsets_surrendered.tolist() == [80, 30, 0]
    assert s.offsets_left.tolist() == [80, 80, 100]
    assert s.permits_surrendered.tolist() == [850, 850, 850]
    assert s.shortfall.tolist() == [50, 100, 150]
    assert s.offset_limit == Fraction(1, 10) and s.local_share == Fraction(3, 5)
    assert balances(s) and respects_limits(s)


def test_offset_limit_rounds_down():
    # 10 % of 995 is 99.5: 99 offsets.
    s = surrender([995], [0], offsets=[500], offset_limit=0.1)
    assert s.offsets_surrendered.tolist() == [99]
    assert s.shortfall.tolist() == [896]


def test_eu_penalty_and_make_good():
    # 120 t emitted, 100 held: 20 short -> EUR 2,000 and 20 still owed next year.
    s = surrender([120], [100], penalty=EU_ETS)
    assert s.shortfall.tolist() == [20]
    assert s.penalty.tolist() == [2000.0]
    assert s.owed_next.tolist() == [20]
    assert s.compliant.tolist() == [False]
    assert s.total_penalty == 2000.0


def test_three_for_one_deduction():
    # RGGI / NOx Budget: 3 allowances of a later period per ton short, no fine.
    s = surrender([120], [100], penalty=THREE_FOR_ONE)
    assert s.penalty.tolist() == [0.0] and s.owed_next.tolist() == [60]


def test_three_times_the_price():
    s = surrender([120], [100], penalty=THREE_TIMES_PRICE, price=25.0)
    assert s.penalty.tolist() == [1500.0]  # 20 t * 3 * 25


def test_acid_rain_penalty():
    s = surrender([105], [100], penalty=ACID_RAIN)
    assert s.penalty.tolist() == [10000.0] and s.owed_next.tolist() == [5]


def test_banking_and_expiry():
    s = surrender([80], [100])
    assert s.banked.tolist() == [20] and s.expired.tolist() == [0]
    s = surrender([80], [100], banking=False)
    assert s.banked.tolist() == [0] and s.expired.tolist() == [20]


def test_borrowing_within_its_limit():
    # 30 short; up to 20 % of next year's 100 may be borrowed: 20, 10 short.
    s = surrender([130], [100], borrowing_limit=0.2, next_allocation=[100], penalty=EU_ETS)
    assert s.borrowed.tolist() == [20]
    assert s.shortfall.tolist() == [10]
    assert s.penalty.tolist() == [1000.0]
    carry = next_period(s, [100])
    assert carry.holdings.tolist() == [80] and carry.owed.tolist() == [10]


def test_offsets_last_saves_them_for_later():
    # Holding more permits than emissions, a firm using offsets last keeps them.
    first = surrender([100], [150], offsets=[20], offset_limit=0.1)
    last = surrender([100], [150], offsets=[20], offset_limit=0.1, use_offsets="last")
    assert first.offsets_surrendered.tolist() == [10] and first.banked.tolist() == [60]
    assert last.offsets_surrendered.tolist() == [0] and last.banked.tolist() == [50]
    # Short of permits, "last" uses offsets for what permits cannot cover.
    short = surrender([100], [95], offsets=[20], offset_limit=0.1, use_offsets="last")
    assert short.offsets_surrendered.tolist() == [5] and short.shortfall.tolist() == [0]


def test_two_periods_carry_over():
    # Year 1: firm 0 is 20 short (owed again), firm 1 banks 20.
    # Year 2: allocations 90 each; firm 0 owes 70 + 20 = 90 and holds 90.
    y1 = surrender([120, 80], [100, 100], penalty=EU_ETS)
    carry = next_period(y1, [90, 90])
    assert carry.holdings.tolist() == [90, 110] and carry.owed.tolist() == [20, 0]
    y2 = surrender([70, 80], carry.holdings, owed=carry.owed, penalty=EU_ETS)
    assert y2.obligation.tolist() == [90, 80]
    assert y2.shortfall.tolist() == [0, 0] and y2.banked.tolist() == [0, 30]


def test_chongqing_retention_by_hand():
    # Keep ceil(50 % of free): 500 of 1,000 -> may sell 500; 401 of 801 held 900
    # -> 499; 200 of 400 but only 150 held -> 0.
    assert retention_limit([1000, 801, 400], [1000, 900, 150]).tolist() == [500, 499, 0]
    assert retention_limit([1000, 801]).tolist() == [500, 400]
    assert retention_limit([10], share=0.0).tolist() == [10]


def test_retention_feeds_the_market():
    # Free permits 100 each, 50 % retained: each may sell 50. BAU 150 and 60,
    # slopes 1: R = 210 - 200 = 10, price 5, each abates 5.
    free = np.array([100, 100])
    limit = retention_limit(free, share=0.5)
    r = equilibrium([150, 60], free, LinearMAC([1.0, 1.0]), max_sale=limit)
    # Firm 1 sells 40 + 5 = 45 < 50: the limit does not bind.
    assert r.price == pytest.approx(5.0)
    tight = equilibrium([150, 60], free, LinearMAC([1.0, 1.0]), max_sale=[0, 30])
    # Now firm 1 may sell 30 but has 40 spare before abating: 10 stay unused,
    # firm 0 must abate 50 - 30 = 20 at p = 20, firm 1 abates nothing.
    assert tight.price == pytest.approx(20.0)
    assert tight.abatement.tolist() == pytest.approx([20.0, 0.0])
    assert tight.unused.tolist() == pytest.approx([0.0, 10.0])


def test_inputs_untouched_and_result_frozen():
    emissions = np.array([120, 80])
    holdings = np.array([100, 100])
    s = surrender(emissions, holdings, penalty=EU_ETS)
    assert emissions.tolist() == [120, 80] and holdings.tolist() == [100, 100]
    with pytest.raises(ValueError, match="read-only"):
        s.banked[0] = 5


# ------------------------------------------------------------- properties

counts = st.integers(0, 60)


@st.composite
def settlements(draw):
    n = draw(st.integers(1, 5))
    ints = st.lists(counts, min_size=n, max_size=n)
    offsets = draw(ints)
    local = [draw(st.integers(0, o)) for o in offsets]
    kwargs = {
        "offsets": offsets,
        "local_offsets": local,
        "offset_limit": draw(st.sampled_from([0, 0.05, 0.1, 0.25, 0.5, 1.0])),
        "local_share": draw(st.sampled_from([0, 0.3, 0.6, 1.0])),
        "owed": draw(ints),
        "penalty": draw(st.sampled_from(list(PENALTY_RULES.values()))),
        "price": draw(st.floats(0.0, 100.0)),
        "banking": draw(st.booleans()),
        "borrowing_limit": draw(st.sampled_from([0, 0.1, 0.5])),
        "next_allocation": draw(ints),
        "use_offsets": draw(st.sampled_from(["first", "last"])),
    }
    return draw(ints), draw(ints), kwargs


def most_offsets(obligation, local, other, limit, share):
    """Brute force: the most offsets usable within the limit and the local share."""
    cap = (obligation * Fraction(limit).limit_denominator(1000)).__floor__()
    share = Fraction(share).limit_denominator(1000)
    best = 0
    for x in range(min(local, cap) + 1):
        for y in range(min(other, cap - x) + 1):
            if x >= share * (x + y):
                best = max(best, x + y)
    return best


@given(settlements())
def test_penalties_and_offsets_respect_their_limits(case):
    emissions, holdings, kwargs = case
    s = surrender(emissions, holdings, **kwargs)
    assert balances(s)
    assert respects_limits(s)
    rule = kwargs["penalty"]
    assert np.allclose(s.penalty, s.shortfall * rule.rate(kwargs["price"]))
    assert (s.owed_next == s.shortfall * rule.make_good).all()
    assert (s.offsets_surrendered <= np.asarray(kwargs["offsets"])).all()
    assert (s.local_offsets_surrendered <= np.asarray(kwargs["local_offsets"])).all()
    nxt = np.asarray(kwargs["next_allocation"])
    limit = np.array([int(Fraction(kwargs["borrowing_limit"]).limit_denominator(10) * x)
                      for x in nxt])
    assert (s.borrowed <= limit).all()
    if not kwargs["banking"]:
        assert (s.banked == 0).all()
    # Nobody is short while it still had usable permits.
    assert ((s.shortfall == 0) | (s.permits_surrendered == s.holdings)).all()


@given(settlements())
def test_offsets_used_first_are_as_many_as_allowed(case):
    emissions, holdings, kwargs = case
    kwargs["use_offsets"] = "first"
    s = surrender(emissions, holdings, **kwargs)
    for i in range(len(emissions)):
        local = kwargs["local_offsets"][i]
        other = kwargs["offsets"][i] - local
        best = most_offsets(int(s.obligation[i]), local, other, kwargs["offset_limit"],
                            kwargs["local_share"])
        assert s.offsets_surrendered[i] == best


def test_tiny_shares_are_exact_not_overflowing():
    # A share of 1e-20 is the fraction 1/10**20: its denominator alone is beyond
    # int64, and the shares it gives are computed with Python integers.
    assert retention_limit([100], share=1e-20).tolist() == [99]
    s = surrender([100], [0], offsets=[100], offset_limit=1e-20)
    assert s.offsets_surrendered.tolist() == [0] and s.shortfall.tolist() == [100]
    s = surrender([100], [0], borrowing_limit=1e-19, next_allocation=[100])
    assert s.borrowed.tolist() == [0]
    # 3 local offsets at a local share of 1e-20 would allow 3 x (10**20 - 1) others:
    # capped by the room the offset limit leaves (50), not overflowing.
    s = surrender([100], [0], offsets=[100], local_offsets=[3], offset_limit=0.5,
                  local_share=1e-20)
    assert s.offsets_surrendered.tolist() == [50]


def test_obligations_beyond_int64_are_refused():
    # 2**62 owed on 2**62 emitted is an obligation of 2**63: it had wrapped to
    # -2**63 and the firm was reported compliant.
    with pytest.raises(ValueError, match=r"emissions \+ owed must be less than 2\*\*63 permits"):
        surrender([2**62], [0], owed=[2**62], penalty=EU_ETS)
    with pytest.raises(ValueError, match=r"multiplied by make_good=3 \(got 4611686018427387904"):
        surrender([2**62], [0], penalty=THREE_FOR_ONE)
    assert surrender([2**61], [0], penalty=THREE_FOR_ONE).owed_next.tolist() == [3 * 2**61]
    with pytest.raises(ValueError,
                       match=r"holdings must be less than 2\*\*63 \(got 1180591620717411303424\)"):
        surrender([1], 2**70)
    # next_allocation is checked even when no borrowing uses it.
    with pytest.raises(ValueError, match=r"next_allocation must be >= 0 \(got -5 at index 0\)"):
        surrender([1], [0], next_allocation=[-5])
