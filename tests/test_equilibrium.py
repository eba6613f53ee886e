"""The competitive permit market: worked examples and the Coase-Montgomery properties."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from scipy.optimize import minimize

from allocation.abatement import (
    LinearMAC,
    MarginalAbatementCost,
    PiecewiseLinearMAC,
    QuadraticMAC,
    StackedMAC,
    TechnologyStep,
    stack,
)
from allocation.market import InfeasibleError, MarketResult, equilibrium, two_firm_model

# ======================================================================
# The seed's two-firm model (seed 000, section 2.2)
# ======================================================================
# MC_A = 4q, MC_B = q, each firm must cut Q0 = 10 t.
# Equal marginal costs: 4 (10 - q) = 10 + q  ->  q = 6, p = 16.
# Before: A 0.5*4*100 = 200, B 0.5*1*100 = 50.
# After:  A 0.5*4*16 + 16*6 = 32 + 96 = 128; B 0.5*1*256 - 96 = 32.
# Savings: A 72 = 0.5*4*36, B 18 = 0.5*1*36, total 90.


def test_seed_two_firm_example():
    t = two_firm_model(4.0, 1.0, 10.0)
    assert t.price == 16.0
    assert t.traded == 6.0
    assert (t.abatement_a, t.abatement_b) == (4.0, 16.0)
    assert (t.cost_before_a, t.cost_before_b) == (200.0, 50.0)
    assert (t.cost_after_a, t.cost_after_b) == (128.0, 32.0)
    assert (t.saving_a, t.saving_b, t.total_saving) == (72.0, 18.0, 90.0)


def test_seed_equations_2_to_4_hold_with_marginal_cost_heights():
    # C1 = c1 Q0 = 40, C2 = c2 Q0 = 10, C* = p = 16, q1 = q2 = 6.
    C1, C2, C_star, q = 40.0, 10.0, 16.0, 6.0
    t = two_firm_model(4.0, 1.0, 10.0)
    assert t.saving_a == 0.5 * (C1 - C_star) * q  # seed equation (2)
    assert t.saving_b == 0.5 * (C_star - C2) * q  # seed equation (3)
    assert t.total_saving == 0.5 * (C1 * q - C2 * q)  # seed equation (4), q1 = q2


def test_seed_equation_4_is_wrong_in_the_slope_reading():
    # Read with the slopes c1 = 4, c2 = 1 (as the seed's text describes them),
    # 0.5 (c1 q - c2 q) = 0.5 * 3 * 6 = 9, not the saving of 90: off by Q0 = 10.
    t = two_firm_model(4.0, 1.0, 10.0)
    assert 0.5 * (4.0 * 6.0 - 1.0 * 6.0) == 9.0
    assert t.total_saving == 90.0
    # The correct closed form from the slopes: (c1 - c2)^2 Q0^2 / (2 (c1 + c2)).
    assert t.total_saving == (4.0 - 1.0) ** 2 * 10.0**2 / (2 * (4.0 + 1.0))


def test_two_firm_model_with_different_reductions():
    # c1 = 2, c2 = 3, A must cut 10 and B 20: 2 a_A = 3 a_B, a_A + a_B = 30
    # -> a_A = 18, a_B = 12, p = 36; A *sells* 8.
    # A: before 100, after 0.5*2*324 - 36*8 = 36 -> saves 64 = 0.5*2*64.
    # B: before 600, after 0.5*3*144 + 288 = 504 -> saves 96 = 0.5*3*64.
    t = two_firm_model(2.0, 3.0, (10.0, 20.0))
    assert (t.abatement_a, t.abatement_b, t.price, t.traded) == (18.0, 12.0, 36.0, -8.0)
    assert (t.cost_after_a, t.cost_after_b) == (36.0, 504.0)
    assert (t.saving_a, t.saving_b, t.total_saving) == (64.0, 96.0, 160.0)


def test_seed_two_firm_example_through_the_market():
    # The same example as a market: BAU 50 each, 40 permits each (Q0 = 10).
    r = equilibrium([50, 50], [40, 40], LinearMAC([4.0, 1.0]))
    assert r.status == "cleared"
    assert r.price == pytest.approx(16.0)
    assert r.abatement.tolist() == pytest.approx([4.0, 16.0])
    assert r.net_trade.tolist() == pytest.approx([6.0, -6.0])
    assert r.cost.tolist() == pytest.approx([128.0, 32.0])
    assert r.cost_without_trading.tolist() == pytest.approx([200.0, 50.0])
    assert r.saving.tolist() == pytest.approx([72.0, 18.0])
    assert r.total_saving == pytest.approx(90.0)


# ======================================================================
# Closed-form and hand-worked cases
# ======================================================================


@pytest.mark.parametrize("method", ["exact", "bracket"])
def test_linear_closed_form(method):
    # Required abatement R = 400 - 300 = 100; sum 1/c = 1 + 1/2 + 1/4 + 1/8 = 15/8;
    # p = 100 / (15/8) = 160/3; a_i = p / c_i.
    r = equilibrium([100, 100, 100, 100], [60, 70, 80, 90],
                    LinearMAC([1.0, 2.0, 4.0, 8.0]), method=method)
    p = 160 / 3
    assert r.price == pytest.approx(p, rel=1e-13)
    assert r.abatement.tolist() == pytest.approx([p, p / 2, p / 4, p / 8], rel=1e-12)
    # Net trade = (bau - a) - permits.
    assert r.net_trade.tolist() == pytest.approx(
        [40 - p, 30 - p / 2, 20 - p / 4, 10 - p / 8], rel=1e-12
    )
    assert r.net_trade.sum() == pytest.approx(0.0, abs=1e-10)


def test_linear_with_a_firm_abating_all_its_emissions():
    # Unconstrained p = 60 / (10 + 1) would have firm 0 abate 54.5 > its BAU 10;
    # it abates 10, firm 1 the other 50 at p = 50 * 1.
    r = equilibrium([10, 100], [0, 50], LinearMAC([0.1, 1.0]))
    assert r.price == pytest.approx(50.0)
    assert r.abatement.tolist() == pytest.approx([10.0, 50.0])
    assert r.emissions.tolist() == pytest.approx([0.0, 50.0])


def test_quadratic_by_hand():
    # MC = a^2 and 4 a^2: a = sqrt(p) and sqrt(p)/2; R = 200 - 185 = 15
    # -> 1.5 sqrt(p) = 15 -> p = 100, a = (10, 5).
    r = equilibrium([100, 100], [90, 95], QuadraticMAC(linear=0.0, quadratic=[1.0, 4.0]))
    assert r.price == pytest.approx(100.0, rel=1e-12)
    assert r.abatement.tolist() == pytest.approx([10.0, 5.0], rel=1e-12)
    # TC = d a^3 / 3.
    assert r.abatement_cost.tolist() == pytest.approx([1000 / 3, 500 / 3])


@pytest.mark.parametrize("method", ["exact", "bracket"])
def test_piecewise_by_hand(method):
    # Firm 0: a = 2p up to p = 5 (10 t), then 10 + (p - 5)/2 up to 45 (30 t).
    # Firm 1: nothing below 10, then p - 10 up to 30 (20 t). R = 80 - 45 = 35:
    # at p = 25, 20 + 15 = 35.
    mac = PiecewiseLinearMAC(abatement=[[0, 10, 30], [0, 20]],
                             marginal_cost=[[0, 5, 45], [10, 30]])
    r = equilibrium([40, 40], [15, 30], mac, method=method)
    assert r.price == pytest.approx(25.0, rel=1e-12)
    assert r.abatement.tolist() == pytest.approx([20.0, 15.0])


@pytest.mark.parametrize("method", ["exact", "bracket"])
def test_tied_technology_steps_share_the_margin(method):
    # Two firms can abate 5 t each at 10, one 10 t at 20. R = 60 - 52 = 8 < 10:
    # the price is 10 and each cheap step runs at 8/10 of its capacity.
    mac = TechnologyStep(cost=[10.0, 10.0, 20.0], capacity=[5.0, 5.0, 10.0])
    r = equilibrium([20, 20, 20], [15, 15, 22], mac, method=method)
    assert r.price == 10.0
    assert r.abatement.tolist() == pytest.approx([4.0, 4.0, 0.0])
    assert r.net_trade.tolist() == pytest.approx([1.0, 1.0, -2.0])


def test_steps_and_curves_mixed():
    # Step of 8 t at 15 plus MC = a (linear slope 1) for one firm. R = 20:
    # below 15 the linear firm alone; at 15 it gives 15 t and the step 5 of 8.
    mac = stack(LinearMAC([1.0]), TechnologyStep(cost=15.0, capacity=8.0))
    r = equilibrium([50, 50], [40, 40], mac)
    assert r.price == 15.0
    assert r.abatement.tolist() == pytest.approx([15.0, 5.0])
    # With R = 30: 15 + 8 = 23 at 15, the rest by the linear firm: 22 t at p = 22.
    r = equilibrium([50, 50], [35, 35], mac)
    assert r.price == pytest.approx(22.0)
    assert r.abatement.tolist() == pytest.approx([22.0, 8.0])


def test_surplus_permits_price_zero():
    # 190 permits for 180 t of emissions: nobody abates; firm 1 lacks 10 and gets
    # them from firm 0, which keeps its other 10 unused.
    r = equilibrium([80, 100], [100, 90], LinearMAC([1.0, 1.0]))
    assert r.status == "surplus" and r.price == 0.0
    assert r.abatement.tolist() == [0.0, 0.0]
    assert r.net_trade.tolist() == [-10.0, 10.0]
    assert r.unused.tolist() == [10.0, 0.0]
    assert r.cost.tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- collar


def test_ceiling_issues_the_missing_permits():
    # Linear 1, 2, 4, BAU 100, permits 50/90/90: R = 70, free price 40.
    # At a ceiling of 30: abatement 30 + 15 + 7.5 = 52.5; 17.5 issued.
    # Firm 1 sells 5 (emits 85, holds 90); firm 0 needs 20, firm 2 2.5:
    # they share the 5 in proportion (4/9 and 1/9 of their needs) and buy the
    # rest from the regulator.
    r = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
                    price_ceiling=30.0)
    assert r.status == "ceiling" and r.price == 30.0
    assert r.abatement.tolist() == pytest.approx([30.0, 15.0, 7.5])
    assert r.total_issued == pytest.approx(17.5)
    assert r.net_trade.tolist() == pytest.approx([20 * 5 / 22.5, -5.0, 2.5 * 5 / 22.5])
    assert r.issued.tolist() == pytest.approx([20 * 17.5 / 22.5, 0.0, 2.5 * 17.5 / 22.5])
    assert r.net_trade.sum() == pytest.approx(0.0, abs=1e-12)


def test_floor_leaves_permits_unused():
    # Same market, floor 50 above the free price 40: abatement 50 + 25 + 12.5;
    # firm 0 covers itself exactly, firms 1 and 2 keep 15 and 2.5 unused.
    r = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
                    price_floor=50.0)
    assert r.status == "floor" and r.price == 50.0
    assert r.abatement.tolist() == pytest.approx([50.0, 25.0, 12.5])
    assert r.net_trade.tolist() == pytest.approx([0.0, 0.0, 0.0])
    assert r.unused.tolist() == pytest.approx([0.0, 15.0, 2.5])
    assert r.total_unused == pytest.approx(17.5)


def test_collar_that_does_not_bind():
    r = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
                    price_floor=10.0, price_ceiling=60.0)
    assert r.status == "cleared" and r.price == pytest.approx(40.0)


def test_shanxi_band_top_rations_buyers():
    # Benchmark 25, trades at most 20 % above: 30 < free price 40.
    # At 30 firm 0 wants 20, firm 2 wants 2.5, firm 1 offers 5: buyers get 2/9 of
    # their wish (4.44 and 0.56) and abate the rest: 100 - 50 - 40/9 and
    # 100 - 90 - 5/9. No permits are created.
    r = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
                    reference_price=25.0, band=(0.0, 0.2))
    assert r.status == "band_top" and r.price == 30.0
    assert r.net_trade.tolist() == pytest.approx([40 / 9, -5.0, 5 / 9])
    assert r.abatement.tolist() == pytest.approx([50 - 40 / 9, 15.0, 10 - 5 / 9])
    assert r.emissions.sum() == pytest.approx(230.0)
    assert r.total_issued == 0.0


def test_band_bottom_rations_sellers():
    # Benchmark 50 +/- 10 %: the floor of the band, 45, is above the free price 40.
    # At 45 firm 0 wants 5; firms 1 and 2 offer 12.5 and 1.25: each sells 5/13.75
    # of its offer and abates only what it needs to cover that sale.
    r = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
                    reference_price=50.0, band=0.1)
    assert r.status == "band_bottom" and r.price == 45.0
    share = 5 / 13.75
    assert r.net_trade.tolist() == pytest.approx([5.0, -12.5 * share, -1.25 * share])
    assert r.abatement.tolist() == pytest.approx([45.0, 10 + 12.5 * share, 10 + 1.25 * share])
    assert r.unused.tolist() == pytest.approx([0.0, 0.0, 0.0])


def test_sale_limit_from_retention():
    # Firm 1 may sell only 5 permits and firm 2 none: they abate at most
    # 15 and 10 (what covers their own emissions plus the sale); firm 0 abates
    # the remaining 45 at p = 45.
    r = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
                    max_sale=[0, 5, 0])
    assert r.price == pytest.approx(45.0)
    assert r.abatement.tolist() == pytest.approx([45.0, 15.0, 10.0])
    assert r.net_trade.tolist() == pytest.approx([5.0, -5.0, 0.0])


def test_sale_limit_locks_surplus_permits():
    # Firm 1 holds 120 permits for 100 t of BAU but may sell only 10: 10 are unused
    # whatever the price; firm 0 needs 20 and buys 10, abating 10 at p = 10.
    r = equilibrium([100, 100], [80, 120], LinearMAC([1.0, 1.0]), max_sale=[0, 10])
    assert r.price == pytest.approx(10.0)
    assert r.abatement.tolist() == pytest.approx([10.0, 0.0])
    assert r.net_trade.tolist() == pytest.approx([10.0, -10.0])
    assert r.unused.tolist() == pytest.approx([0.0, 10.0])


def test_result_is_frozen_and_inputs_untouched():
    bau = np.array([100.0, 100.0])
    permits = np.array([50, 90])
    r = equilibrium(bau, permits, LinearMAC([1.0, 2.0]))
    assert bau.tolist() == [100.0, 100.0] and permits.tolist() == [50, 90]
    with pytest.raises(ValueError, match="read-only"):
        r.abatement[0] = 1.0
    with pytest.raises(AttributeError):
        r.price = 3.0  # type: ignore[misc]
    assert isinstance(r, MarketResult)


def test_to_frame_has_one_row_per_firm():
    pytest.importorskip("pandas")
    frame = equilibrium([50, 50], [40, 40], LinearMAC([4.0, 1.0])).to_frame()
    assert list(frame["net_trade"].round(9)) == [6.0, -6.0]


# ======================================================================
# Properties
# ======================================================================


@st.composite
def markets(draw, *, max_firms=6, kinds=("linear", "quadratic", "piecewise", "step")):
    """BAU, permits and curves of a small market, every kind of curve possible."""
    n = draw(st.integers(1, max_firms))
    bau = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    share = draw(st.lists(st.floats(0.0, 1.2), min_size=n, max_size=n))
    permits = [int(b * s) for b, s in zip(bau, share, strict=True)]
    kind = draw(st.sampled_from(kinds))
    mac: MarginalAbatementCost
    if kind == "linear":
        mac = LinearMAC(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)))
    elif kind == "quadratic":
        b = draw(st.lists(st.floats(0.0, 4.0), min_size=n, max_size=n))
        d = draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n))
        mac = QuadraticMAC(b, d)
    elif kind == "piecewise":
        top = draw(st.lists(st.floats(61.0, 100.0), min_size=n, max_size=n))
        mid = draw(st.lists(st.floats(0.1, 0.9), min_size=n, max_size=n))
        m1 = draw(st.lists(st.floats(1.0, 20.0), min_size=n, max_size=n))
        m2 = draw(st.lists(st.floats(1.0, 40.0), min_size=n, max_size=n))
        A = [[0.0, t * f, t] for t, f in zip(top, mid, strict=True)]
        M = [[0.0, a, a + b] for a, b in zip(m1, m2, strict=True)]
        mac = PiecewiseLinearMAC(A, M)
    else:
        lin = LinearMAC(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)))
        cost = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
        mac = stack(lin, TechnologyStep(cost=[float(c) for c in cost], capacity=10.0))
        bau, permits = bau + [10] * n, permits + [0] * n
    return np.array(bau, dtype=float), np.array(permits), mac


def scale(bau):
    return 1.0 + float(np.sum(bau))


@given(markets())
def test_net_trades_sum_to_zero(market):
    bau, permits, mac = market
    r = equilibrium(bau, permits, mac)
    assert r.net_trade.sum() == pytest.approx(0.0, abs=1e-9 * scale(bau))
    # Every permit is accounted for, firm by firm.
    lhs = r.permits + r.net_trade + r.issued
    rhs = r.emissions + r.unused - r.shortfall
    assert np.allclose(lhs, rhs, atol=1e-9 * scale(bau))
    assert (r.abatement >= 0).all() and (r.abatement <= bau + 1e-9).all()


@given(markets(), st.randoms(use_true_random=False))
def test_price_and_abatement_ignore_the_initial_allocation(market, random):
    """Coase (1960) and Montgomery (1972): who gets the permits changes money, not abatement."""
    bau, permits, mac = market
    total = int(permits.sum())
    cuts = sorted(random.randint(0, total) for _ in range(len(permits) - 1))
    other = np.diff([0, *cuts, total])
    assert other.sum() == total
    r1 = equilibrium(bau, permits, mac)
    r2 = equilibrium(bau, other, mac)
    assert r2.price == pytest.approx(r1.price, rel=1e-9, abs=1e-9)
    assert np.allclose(r1.abatement, r2.abatement, rtol=1e-9, atol=1e-7)
    # Each firm's cost moves by exactly the value of the permits it was given.
    shift = -r1.price * (other - permits)
    assert np.allclose(r2.cost - r1.cost, shift, rtol=1e-9, atol=1e-6 * scale(bau))


@given(markets(max_firms=4, kinds=("linear", "quadratic")))
def test_equilibrium_is_the_least_cost_split(market):
    """No feasible split of the required abatement costs less (scipy.optimize as referee)."""
    bau, permits, mac = market
    required = float(bau.sum() - permits.sum())
    assume(required > 1e-6)
    r = equilibrium(bau, permits, mac)

    def total(a):
        return float(mac.total_cost(np.clip(a, 0.0, bau)).sum())

    start = bau * (required / bau.sum())
    best = minimize(
        total,
        start,
        method="SLSQP",
        bounds=[(0.0, float(b)) for b in bau],
        constraints=[{"type": "eq", "fun": lambda a: a.sum() - required}],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    ours = r.total_abatement_cost
    if best.success:
        assert ours <= best.fun + 1e-7 * (1.0 + abs(best.fun))
    # and no cheaper than random feasible splits either
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = rng.random(len(bau)) * bau
        if w.sum() <= 0:
            continue
        split = np.minimum(w * required / w.sum(), bau)
        if split.sum() >= required * (1 - 1e-12):
            assert ours <= total(split) + 1e-9 * (1.0 + total(split))


@given(
    markets(),
    st.one_of(st.none(), st.floats(0.0, 40.0)),
    st.one_of(st.none(), st.floats(0.0, 40.0)),
)
def test_collar_holds(market, floor, ceiling):
    bau, permits, mac = market
    if floor is not None and ceiling is not None and floor > ceiling:
        floor, ceiling = ceiling, floor
    try:
        r = equilibrium(bau, permits, mac, price_floor=floor, price_ceiling=ceiling)
    except InfeasibleError:
        assert ceiling is None  # only a market with no ceiling can fail to clear
        return
    if floor is not None:
        assert r.price >= floor
    if ceiling is not None:
        assert r.price <= ceiling
    assert (r.issued >= 0).all() and (r.unused >= -1e-9).all()
    if r.total_issued > 1e-9:
        assert r.status == "ceiling" and r.price == ceiling
    if r.total_unused > 1e-6 * scale(bau):
        assert r.status in ("floor", "surplus")
    assert r.net_trade.sum() == pytest.approx(0.0, abs=1e-9 * scale(bau))
    # The cap is met except for what the regulator sold at the ceiling.
    assert r.emissions.sum() <= permits.sum() + r.total_issued + 1e-9 * scale(bau)
    assert (r.shortfall == 0).all()


def _steps_market(
    slopes: list[float], bau: list[float], permits: list[int],
) -> tuple[Any, Any, Any]:
    """Four linear firms and four technology steps of 10 t: two free, two at 5."""
    mac = StackedMAC([LinearMAC(slopes), TechnologyStep([0.0, 0.0, 5.0, 5.0], [10.0] * 4)])
    return np.array(bau), np.array(permits), mac


#: Found by a long Hypothesis run: the exact solver took the steps at 5 in
#: full (a) when the linear firms reach the required total exactly at 5, and
#: (b) when they reach it at 4.125 and supply stays flat up to 5.
_RAMP_ENDS_AT_STEP = _steps_market([1.0, 0.25, 1.0, 0.25], [0, 13, 5, 16, 10, 10, 10, 10],
                                   [0, 13, 5, 2, 0, 0, 0, 0])
_FLAT_BEFORE_STEP = _steps_market([0.5, 0.25, 0.375, 0.125], [1, 12, 11, 24, 10, 10, 10, 10],
                                  [1, 12, 4, 3, 0, 0, 0, 0])
#: And the bracketed solver, when its root landed exactly on the step at 6.
_ROOT_ON_STEP = (np.array([0, 12, 6, 16, 10, 10, 10, 10]), np.array([0, 12, 6, 2, 0, 0, 0, 0]),
                 StackedMAC([LinearMAC([1.0, 0.25, 1.0, 0.25]),
                             TechnologyStep([0.0, 0.0, 6.0, 6.0], [10.0] * 4)]))


@pytest.mark.parametrize(("market", "price"), [(_RAMP_ENDS_AT_STEP, 5.0),
                                               (_FLAT_BEFORE_STEP, 4.125), (_ROOT_ON_STEP, 6.0)])
def test_steps_are_not_taken_when_the_ramp_already_meets_the_cap(market, price):
    # (a) 74 - 20 = 54 t to abate: the free steps give 20 and the linear firms
    # reach their emissions (13 + 5 + 16 = 34) at 5 = 5 / 1, so the price is 5
    # and the steps costing 5 stay idle. (b) 88 - 20 = 68 t: 20 free and
    # 1 + 12 + 11 + 24 = 48 from the linear firms, the last reached at
    # 11 * 0.375 = 4.125. (c) as (a), the linear firms meeting 54 t at 6,
    # where the other steps cost 6.
    bau, permits, mac = market
    for method in ("exact", "bracket"):
        r = equilibrium(bau, permits, mac, method=method)
        assert r.price == pytest.approx(price, rel=1e-12)
        assert r.abatement.tolist()[4:] == pytest.approx([10.0, 10.0, 0.0, 0.0])
        assert r.net_trade.sum() == pytest.approx(0.0, abs=1e-9)


@given(markets(kinds=("linear", "piecewise", "step")))
@example(_RAMP_ENDS_AT_STEP)
@example(_FLAT_BEFORE_STEP)
@example(_ROOT_ON_STEP)
def test_exact_and_bracketed_solvers_agree(market):
    bau, permits, mac = market
    exact = equilibrium(bau, permits, mac, method="exact")
    bracketed = equilibrium(bau, permits, mac, method="bracket")
    assert bracketed.price == pytest.approx(exact.price, rel=1e-9, abs=1e-9)
    assert np.allclose(exact.abatement, bracketed.abatement, rtol=1e-8, atol=1e-7)


@given(markets())
def test_every_firm_gains_from_trading(market):
    """Trading is voluntary: no firm's cost rises against covering its own emissions."""
    bau, permits, mac = market
    r = equilibrium(bau, permits, mac)
    finite = np.isfinite(r.cost_without_trading)
    assert (r.saving[finite] >= -1e-7 * (1.0 + r.cost_without_trading[finite])).all()
    assert r.total_saving >= -1e-7 * (1.0 + math.fsum(r.cost_without_trading[finite]))


def test_bracket_finds_the_bottom_of_a_flat_range():
    """Found by the ci profile: a linear firm capped at its emissions before a step's cost.

    Four steps at cost 0 abate 40 t; the linear firm (MC = 0.5 a, so it abates
    2p) reaches its 12 t at p = 6, which makes the 52 t required; the step at
    cost 7 is not needed. The price is 6 whichever solver runs.
    """
    from allocation.abatement import stack

    bau = np.array([0.0, 12.0, 0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 10.0, 10.0])
    permits = np.array([0, 10, 0, 0, 0, 0, 0, 0, 0, 0])
    mac = stack(LinearMAC([1.0, 0.5, 1.0, 1.0, 1.0]),
                TechnologyStep([0.0, 0.0, 0.0, 0.0, 7.0], [10.0] * 5))
    for method in ("exact", "bracket"):
        r = equilibrium(bau, permits, mac, method=method)
        assert r.price == pytest.approx(6.0, rel=1e-12)
        assert r.abatement.tolist() == pytest.approx([0, 12, 0, 0, 0, 10, 10, 10, 10, 0])


# ======================================================================
# Steep pieces, huge totals and extreme slopes (exact-rational referee)
# ======================================================================
# The exact solver used to track total abatement as a running sum of the
# pieces' slopes; a steep piece (many tonnes over a narrow price range) added
# and later subtracted a huge slope, and the cancellation lost whole tonnes.


def _polyline(mac: MarginalAbatementCost, limit: float) -> list[tuple[Fraction, Fraction]]:
    """One firm's supply of abatement as (price, tonnes) points, in exact rationals."""
    cap = Fraction(limit)
    if isinstance(mac, LinearMAC):
        return [(Fraction(0), Fraction(0)), (Fraction(float(mac.slope[0])) * cap, cap)]
    if isinstance(mac, TechnologyStep):
        cost = Fraction(float(mac.cost[0]))
        amount = min(Fraction(float(mac.capacity[0])), cap)
        return [(Fraction(0), Fraction(0)), (cost, Fraction(0)), (cost, amount)]
    assert isinstance(mac, PiecewiseLinearMAC)
    knots = [(Fraction(m), Fraction(a)) for a, m in zip(mac.knot_abatement[0].tolist(),
                                                        mac.knot_cost[0].tolist(), strict=True)
             if not math.isnan(a)]
    points = [(Fraction(0), Fraction(0))]
    for (m0, a0), (m1, a1) in itertools.pairwise(knots):
        if a1 >= cap:
            return [*points, (m0, a0), (m0 + (cap - a0) / (a1 - a0) * (m1 - m0), cap)]
        points.append((m0, a0))
    return [*points, knots[-1]]


def _supplied(points: list[tuple[Fraction, Fraction]], p: Fraction, below: bool) -> Fraction:
    """Tonnes at price ``p`` (``below``: just below it) on a supply polyline."""
    before = [k for k, (q, _) in enumerate(points) if (q < p if below else q <= p)]
    if not before:
        return Fraction(0)
    k = before[-1]
    if k == len(points) - 1:
        return points[k][1]
    (q0, a0), (q1, a1) = points[k], points[k + 1]
    return a0 + (p - q0) / (q1 - q0) * (a1 - a0) if q1 > q0 else a0


def _reference_supply(
    parts: list[MarginalAbatementCost], bau: list[float]
) -> tuple[Callable[..., Fraction], list[Fraction]]:
    """Total abatement at a price (exact rationals) and the prices where it bends."""
    lines = [_polyline(m, min(b, float(m.max_abatement[0])))
             for m, b in zip(parts, bau, strict=True)]

    def total(p: Fraction, below: bool = False) -> Fraction:
        return sum((_supplied(line, p, below) for line in lines), Fraction(0))

    return total, sorted({q for line in lines for q, _ in line})


def _reference_price(parts: list[MarginalAbatementCost], bau: list[float],
                     permits: list[int]) -> Fraction | None:
    """The lowest price at which the firms abate sum(bau) - sum(permits), exactly."""
    total, prices = _reference_supply(parts, bau)
    need = sum(map(Fraction, bau)) - sum(map(Fraction, permits))
    if total(Fraction(0)) >= need:
        return Fraction(0)
    for before, at in itertools.pairwise(prices):
        if total(at) >= need:
            start, end = total(before), total(at, below=True)
            if end < need:
                return at
            return before + (need - start) / (end - start) * (at - before)
    return None


def _single_firms(mac: MarginalAbatementCost) -> list[MarginalAbatementCost]:
    parts = mac.parts if isinstance(mac, StackedMAC) else (mac,)
    out: list[MarginalAbatementCost] = []
    for part in parts:
        for i in range(part.n_firms):
            if isinstance(part, LinearMAC):
                out.append(LinearMAC([float(part.slope[i])]))
            elif isinstance(part, TechnologyStep):
                out.append(TechnologyStep(float(part.cost[i]), float(part.capacity[i])))
            else:
                assert isinstance(part, PiecewiseLinearMAC)
                out.append(PiecewiseLinearMAC(part.knot_abatement[i : i + 1],
                                              part.knot_cost[i : i + 1]))
    return out


#: The reviewer's market: a piecewise curve 25 -> 25.0001 over 165 t, then to 75
#: at 1000 t, and two linear firms. Every firm must abate all of its BAU; firm 0's
#: marginal cost at 453 t is 25.0001 + 288 * 49.9999 / 835.
_STEEP = stack(PiecewiseLinearMAC([[0, 165, 1000]], [[25, 25.0001, 75]]),
               LinearMAC([0.381, 0.381]))
_STEEP_PRICE = 25.0001 + 288 * 49.9999 / 835


@pytest.mark.parametrize("method", ["auto", "exact", "bracket"])
def test_steep_piece_does_not_make_a_feasible_market_infeasible(method):
    r = equilibrium([453.0, 54.0, 53.0], [0, 0, 0], _STEEP, method=method)
    assert r.status == "cleared"
    assert r.price == pytest.approx(_STEEP_PRICE, rel=1e-12)
    assert r.abatement.tolist() == pytest.approx([453.0, 54.0, 53.0], rel=1e-12)
    # With a ceiling above the price the regulator sells nothing.
    c = equilibrium([453.0, 54.0, 53.0], [0, 0, 0], _STEEP, price_ceiling=100.0, method=method)
    assert (c.status, c.total_issued) == ("cleared", 0.0)
    assert c.price == pytest.approx(_STEEP_PRICE, rel=1e-12)


@pytest.mark.parametrize("method", ["auto", "exact", "bracket"])
def test_steep_piece_then_a_step(method):
    # A technology at 200 with 10 t: with 10 permits nothing more is needed and
    # the price is the one above; with 9 the last tonne comes from the step.
    mac = stack(_STEEP, TechnologyStep(cost=200.0, capacity=10.0))
    bau = [453.0, 54.0, 53.0, 10.0]
    r = equilibrium(bau, [0, 0, 0, 10], mac, method=method)
    assert r.price == pytest.approx(_STEEP_PRICE, rel=1e-12)
    assert r.abatement.tolist() == pytest.approx([453.0, 54.0, 53.0, 0.0], rel=1e-12)
    s = equilibrium(bau, [0, 0, 0, 9], mac, method=method)
    assert s.price == 200.0
    assert s.abatement.tolist() == pytest.approx([453.0, 54.0, 53.0, 1.0], rel=1e-12)


@st.composite
def steep_markets(draw):
    """A piecewise firm with a nearly flat first piece, linear firms and maybe a step."""
    m0 = float(draw(st.integers(0, 60)))
    gap = 10.0 ** -draw(st.integers(1, 9))
    knee = float(draw(st.integers(1, 999)))
    parts: list[MarginalAbatementCost] = [
        PiecewiseLinearMAC([[0.0, knee, 1000.0]], [[m0, m0 + gap, m0 + 50.0]])]
    bau = [float(draw(st.integers(1, 1000)))]
    for _ in range(draw(st.integers(1, 3))):
        parts.append(LinearMAC([draw(st.integers(1, 1000)) / 1000]))
        bau.append(float(draw(st.integers(1, 100))))
    if draw(st.booleans()):
        parts.append(TechnologyStep(float(draw(st.integers(0, 200))), 10.0))
        bau.append(10.0)
    permits = [int(b * draw(st.sampled_from([0.0, 0.0, 0.5, 0.9, 1.0]))) for b in bau]
    return bau, permits, stack(*parts)


@given(steep_markets(), st.sampled_from(["auto", "exact", "bracket"]))
@example(([453.0, 54.0, 53.0], [0, 0, 0], _STEEP), "auto")
@example(([1.0, 1.0], [0, 0], stack(PiecewiseLinearMAC([[0.0, 37.0, 1000.0]], [[1.0, 1.1, 51.0]]),
                                    LinearMAC([0.001]))), "bracket")
def test_steep_markets_match_an_exact_rational_reference(market, method):
    bau, permits, mac = market
    expected = _reference_price(_single_firms(mac), bau, permits)
    assert expected is not None  # every firm can abate all of its emissions
    r = equilibrium(bau, permits, mac, method=method)
    assert r.price == pytest.approx(float(expected), rel=1e-9, abs=1e-12)
    # The market clears up to what a few ulp of the price move on a steep piece.
    total, _ = _reference_supply(_single_firms(mac), bau)
    ulps = 4 * math.ulp(r.price)
    resolution = total(Fraction(r.price + ulps)) - total(Fraction(max(r.price - ulps, 0.0)))
    slack = 1e-9 * scale(bau) + float(resolution)
    assert abs(r.net_trade.sum()) <= slack
    assert abs(r.emissions.sum() - sum(permits)) <= slack


@pytest.mark.parametrize("method", ["auto", "exact", "bracket"])
def test_a_tonne_short_at_1e12_is_not_rounding(method):
    # The linear firm abates 1e12 t at p = 1e-11 * 1e12 = 10; the 1e12 + 1st
    # tonne must come from the technology at 100 (1 t of its 10).
    mac = stack(LinearMAC([1e-11]), TechnologyStep(cost=100.0, capacity=10.0))
    r = equilibrium([1e12, 10.0], [0, 9], mac, method=method)
    assert r.price == 100.0
    assert r.abatement.tolist() == [1e12, 1.0]
    assert r.net_trade.tolist() == [0.0, 0.0]
    # And without the technology the tonne cannot be abated at all.
    short = stack(LinearMAC([1e-11]), TechnologyStep(cost=0.0, capacity=0.0))
    with pytest.raises(InfeasibleError, match=r"1000000000001\.0"):
        equilibrium([1e12, 1.0], [0, 0], short, method=method)
    c = equilibrium([1e12, 1.0], [0, 0], short, method=method, price_ceiling=50.0)
    assert (c.status, c.price, c.total_issued) == ("ceiling", 50.0, 1.0)


@pytest.mark.parametrize("method", ["auto", "exact", "bracket"])
def test_linear_closed_form_with_tiny_slopes(method):
    # p = R / sum(1 / c): 1 / 1e-310 overflowed and the price came out 0.
    r = equilibrium([100.0], [50], LinearMAC([1e-310]), method=method)
    assert r.price == pytest.approx(50 * 1e-310, rel=1e-6)  # subnormal: few digits
    assert r.abatement.tolist() == pytest.approx([50.0], rel=1e-12)
    n = 1000
    many = equilibrium(np.full(n, 100.0), np.full(n, 50), LinearMAC(np.full(n, 1e-306)),
                       method=method)
    assert many.price == pytest.approx(5e-305, rel=1e-12)
    assert np.allclose(many.abatement, 50.0, rtol=1e-12)
    assert many.net_trade.sum() == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("method", ["auto", "exact", "bracket"])
def test_piecewise_curve_at_1e300(method):
    # MC(a) = a up to 1e300 t: the firm abates all 1e300 t at 1e300.
    mac = PiecewiseLinearMAC([[0, 1e300]], [[0, 1e300]])
    r = equilibrium([1e300], [0], mac, method=method)
    assert r.price == pytest.approx(1e300, rel=1e-12)
    assert r.abatement.tolist() == [1e300]


def test_two_firm_model_at_extreme_slopes():
    # Equal slopes c: each abates Q0, p = 2 c c Q0 / (c + c) = c Q0, no trade.
    t = two_firm_model(1e308, 1e308, 0.001)
    assert t.price == pytest.approx(1e305, rel=1e-12)
    assert (t.abatement_a, t.abatement_b, t.traded) == (0.001, 0.001, 0.0)
    # c1 >> c2: B abates (almost) everything at p ~ c2 (r_a + r_b) = 2e-300.
    s = two_firm_model(1.7e308, 1.0, 1e-300)
    assert s.price == pytest.approx(2e-300, rel=1e-12)
    assert s.abatement_b == pytest.approx(2e-300, rel=1e-12)
    # S_A = c1 q^2 / 2 with q = Q0 (B does all): 0.85e308 * 1e-600.
    assert s.saving_a == pytest.approx(0.85e-292, rel=1e-12)
    # The seed's example scaled by 1e299: p = 16e299, q = 6e299; costs overflow to inf.
    big = two_firm_model(4.0, 1.0, 1e300)
    assert (big.price, big.traded) == pytest.approx((1.6e300, 6e299), rel=1e-12)
    assert big.cost_before_a == math.inf


@pytest.mark.parametrize("mac", [LinearMAC([1e300]), QuadraticMAC(linear=1e300, quadratic=1.0)])
def test_bracket_when_the_last_tonne_costs_more_than_the_largest_float(mac):
    # 1e10 t of emissions, one permit short: the firm abates 1 t at
    # MC(1) = 1e300 (+ 1 for the quadratic). MC at the firm's 1e10 t
    # overflows to inf, and brentq searched [0, inf].
    r = equilibrium([1e10], [10**10 - 1], mac, method="bracket")
    assert r.price == pytest.approx(1e300, rel=1e-12)
    assert r.abatement.tolist() == pytest.approx([1.0], rel=1e-12)
    # A price beyond the largest float: no market clears, a ceiling still binds.
    with pytest.raises(InfeasibleError):
        equilibrium([100.0], [50], LinearMAC([1e308]), method="bracket")
    c = equilibrium([100.0], [50], LinearMAC([1e308]), method="bracket", price_ceiling=1e300)
    assert (c.status, c.price) == ("ceiling", 1e300)
