"""Marginal abatement cost curves: hand-worked values and the relations between methods."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from allocation.abatement import (
    LinearMAC,
    PiecewiseLinearMAC,
    QuadraticMAC,
    StackedMAC,
    TechnologyStep,
    stack,
)

# ------------------------------------------------------------- known values


def test_linear_by_hand():
    mac = LinearMAC([2.0, 5.0])
    # MC = c a; TC = c a^2 / 2; a(p) = p / c
    assert mac.marginal_cost([3.0, 4.0]).tolist() == [6.0, 20.0]
    assert mac.total_cost([3.0, 4.0]).tolist() == [9.0, 40.0]
    assert mac.abatement(10.0).tolist() == [5.0, 2.0]
    assert mac.abatement([4.0, 10.0]).tolist() == [2.0, 2.0]
    assert np.isinf(mac.max_abatement).all()


def test_quadratic_by_hand():
    # Firm 0: MC = 2 + 3a + a^2; firm 1: MC = 4 a^2 (no linear term).
    mac = QuadraticMAC(linear=[3.0, 0.0], quadratic=[1.0, 4.0], intercept=[2.0, 0.0])
    assert mac.marginal_cost(2.0).tolist() == [12.0, 16.0]
    # TC = e a + b a^2 / 2 + d a^3 / 3 at a = 3: 6 + 13.5 + 9 = 28.5 and 36.
    assert mac.total_cost(3.0).tolist() == pytest.approx([28.5, 36.0])
    # Firm 0 at p = 12: a^2 + 3a - 10 = 0 -> a = 2. Firm 1 at 16: 4 a^2 = 16 -> a = 2.
    assert mac.abatement([12.0, 16.0]).tolist() == pytest.approx([2.0, 2.0])
    # Firm 1 at 12: a = sqrt(3).
    assert mac.abatement(12.0).tolist()[1] == pytest.approx(math.sqrt(3.0))
    # Below the intercept firm 0 abates nothing.
    assert mac.abatement(1.5).tolist()[0] == 0.0


def test_quadratic_without_quadratic_term_is_linear_with_intercept():
    mac = QuadraticMAC(linear=2.0, quadratic=0.0, intercept=10.0)
    # MC = 10 + 2a: at p = 30, a = 10.
    assert mac.abatement(30.0).tolist() == [10.0]
    assert mac.abatement(10.0).tolist() == [0.0]


def test_piecewise_by_hand():
    # Firm 0 through (0,0), (10,5), (30,45): slope 0.5 then 2 in cost per tonne.
    # Firm 1 through (0,10), (20,30): cost starts at 10, slope 1.
    mac = PiecewiseLinearMAC(abatement=[[0.0, 10.0, 30.0], [0.0, 20.0, np.nan]],
                             marginal_cost=[[0.0, 5.0, 45.0], [10.0, 30.0, np.nan]])
    assert mac.marginal_cost(5.0).tolist() == [2.5, 15.0]
    assert mac.marginal_cost(20.0).tolist() == [25.0, 30.0]
    # Beyond the last point there is no more abatement.
    assert mac.marginal_cost(25.0).tolist() == [35.0, math.inf]
    # Areas: firm 0 to 20 t: 0.5*10*5 + 0.5*10*(5+25) = 25 + 150 = 175;
    # firm 1 to 20 t: 0.5*20*(10+30) = 400.
    assert mac.total_cost(20.0).tolist() == [175.0, 400.0]
    assert mac.abatement(25.0).tolist() == [20.0, 15.0]
    assert mac.abatement(5.0).tolist() == [10.0, 0.0]
    assert mac.abatement(100.0).tolist() == [30.0, 20.0]
    assert mac.max_abatement.tolist() == [30.0, 20.0]


def test_piecewise_ragged_rows_equal_nan_padding():
    ragged = PiecewiseLinearMAC(abatement=[[0, 10, 30], [0, 20]],
                                marginal_cost=[[0, 5, 45], [10, 30]])
    padded = PiecewiseLinearMAC(abatement=[[0.0, 10.0, 30.0], [0.0, 20.0, np.nan]],
                                marginal_cost=[[0.0, 5.0, 45.0], [10.0, 30.0, np.nan]])
    for price in (0.0, 7.0, 25.0, 60.0):
        assert ragged.abatement(price).tolist() == padded.abatement(price).tolist()


def test_piecewise_single_row_is_one_firm():
    mac = PiecewiseLinearMAC(abatement=[0, 4], marginal_cost=[1, 9])
    assert len(mac) == 1
    # MC = 1 + 2a: at p = 5, a = 2.
    assert mac.abatement(5.0).tolist() == [2.0]


def test_technology_step_by_hand():
    mac = TechnologyStep(cost=[30.0, 50.0], capacity=[100.0, 40.0])
    assert mac.abatement(29.99).tolist() == [0.0, 0.0]
    assert mac.abatement(30.0).tolist() == [100.0, 0.0]  # indifferent: top of the range
    assert mac.abatement(60.0).tolist() == [100.0, 40.0]
    assert mac.total_cost([100.0, 10.0]).tolist() == [3000.0, 500.0]
    assert mac.marginal_cost([100.0, 41.0]).tolist() == [30.0, math.inf]
    assert mac.total_cost([101.0, 0.0]).tolist() == [math.inf, 0.0]


def test_stack_joins_curves_in_order():
    mac = stack(LinearMAC([2.0, 4.0]), TechnologyStep(cost=10.0, capacity=3.0),
                QuadraticMAC(linear=0.0, quadratic=1.0))
    assert isinstance(mac, StackedMAC) and len(mac) == 4
    # p = 16: 8, 4, 3 (step below the price), 4 (a^2 = 16).
    assert mac.abatement(16.0).tolist() == [8.0, 4.0, 3.0, 4.0]
    assert mac.total_cost([1.0, 1.0, 2.0, 3.0]).tolist() == [1.0, 2.0, 20.0, 9.0]
    assert mac.max_abatement.tolist() == [math.inf, math.inf, 3.0, math.inf]
    nested = stack(mac, LinearMAC([1.0]))
    assert len(nested.parts) == 4


def test_scalar_parameters_broadcast():
    step = TechnologyStep(cost=[10.0, 20.0, 30.0], capacity=5.0)
    assert step.capacity.tolist() == [5.0, 5.0, 5.0]
    quad = QuadraticMAC(linear=[1.0, 2.0], quadratic=0.0)
    assert quad.quadratic.tolist() == [0.0, 0.0]


def test_curve_parameters_are_read_only_copies():
    slope = np.array([1.0, 2.0])
    mac = LinearMAC(slope)
    slope[0] = 99.0
    assert mac.slope.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="read-only"):
        mac.slope[0] = 5.0


def test_methods_do_not_mutate_their_argument():
    mac = PiecewiseLinearMAC(abatement=[[0, 10]], marginal_cost=[[0, 10]])
    a = np.array([5.0])
    mac.total_cost(a)
    mac.marginal_cost(a)
    mac.abatement(a)
    assert a.tolist() == [5.0]


# ---------------------------------------------------------------- properties

slopes = st.floats(0.05, 20.0)
amounts = st.floats(0.0, 50.0)


@st.composite
def curves(draw):
    """One curve of any kind for up to four firms."""
    n = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["linear", "quadratic", "piecewise"]))
    if kind == "linear":
        return LinearMAC(draw(st.lists(slopes, min_size=n, max_size=n)))
    if kind == "quadratic":
        b = draw(st.lists(st.floats(0.0, 5.0), min_size=n, max_size=n))
        d = draw(st.lists(st.floats(0.01, 2.0), min_size=n, max_size=n))
        e = draw(st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n))
        return QuadraticMAC(b, d, e)
    k = draw(st.integers(2, 4))
    steps_a = draw(st.lists(st.lists(st.floats(0.5, 10.0), min_size=k - 1, max_size=k - 1),
                            min_size=n, max_size=n))
    steps_m = draw(st.lists(st.lists(st.floats(0.5, 10.0), min_size=k - 1, max_size=k - 1),
                            min_size=n, max_size=n))
    start = draw(st.lists(st.floats(0.0, 5.0), min_size=n, max_size=n))
    A = np.concatenate([np.zeros((n, 1)), np.cumsum(steps_a, axis=1)], axis=1)
    M = np.concatenate([np.array(start)[:, None],
                        np.array(start)[:, None] + np.cumsum(steps_m, axis=1)], axis=1)
    return PiecewiseLinearMAC(A, M)


@given(curves(), st.floats(0.0, 60.0))
def test_abatement_inverts_marginal_cost(mac, price):
    a = mac.abatement(price)
    mc = mac.marginal_cost(a)
    inner = (a > 0) & (a < mac.max_abatement)
    # Strictly inside a curve the firm stops exactly where marginal cost meets the price.
    assert np.allclose(mc[inner], price, rtol=1e-9, atol=1e-9)
    # At zero abatement the first tonne costs at least the price; at the end at most.
    assert (mc[a == 0] >= price - 1e-9).all()
    assert (mc[a == mac.max_abatement] <= price + 1e-9).all()


@given(curves(), st.floats(0.0, 60.0), st.floats(0.0, 60.0))
@example(QuadraticMAC(0.0, 0.01), 1.0, 5e-324)  # 4 d x underflowed: abatement was inf
def test_abatement_rises_with_price(mac, p, q):
    low, high = sorted((p, q))
    assert (mac.abatement(low) <= mac.abatement(high) + 1e-12).all()


def test_quadratic_abatement_at_extreme_prices():
    # With no linear term the firm abates sqrt(x / d). At the smallest price,
    # 4 d x underflows to 0 and the old root 2x / (b + sqrt(b^2 + 4 d x))
    # divided by 0; at the largest, 2x overflowed.
    mac = QuadraticMAC(linear=[0.0, 1.0], quadratic=[0.01, 1.0])
    tiny = mac.abatement(5e-324)
    assert tiny[0] == pytest.approx(math.sqrt(5e-324 / 0.01), rel=1e-12)
    assert tiny[1] == 5e-324  # b = 1: abatement equals the price to first order
    huge = mac.abatement(1e308)
    assert huge.tolist() == pytest.approx([1e155, 1e154], rel=1e-12)


@given(curves(), st.floats(0.0, 1.0))
def test_total_cost_is_the_area_under_marginal_cost(mac, fraction):
    top = np.where(np.isinf(mac.max_abatement), 20.0, mac.max_abatement)
    a = top * fraction
    total = mac.total_cost(a)
    for i in range(len(mac)):

        def mc(x, i=i):
            point = np.zeros(len(mac))
            point[i] = x
            return float(mac.marginal_cost(point)[i])

        # Marginal cost is a polynomial of degree <= 2 between knots, where
        # Simpson's rule is exact: integrate piece by piece.
        edges = [0.0, float(a[i])]
        if isinstance(mac, PiecewiseLinearMAC):
            edges[1:1] = [x for x in mac.knot_abatement[i].tolist() if 0 < x < a[i]]
        area = math.fsum((hi - lo) / 6 * (mc(lo) + 4 * mc((lo + hi) / 2) + mc(hi))
                         for lo, hi in itertools.pairwise(edges))
        assert total[i] == pytest.approx(area, rel=1e-9, abs=1e-9)


def test_piecewise_marginal_cost_at_the_ends_of_the_float_range():
    # MC(a) = a on one segment. The old (a - a0) * (m1 - m0) / (a1 - a0)
    # overflowed at 5e199 * 1e200 and underflowed at 5e-201 * 1e-200.
    big = PiecewiseLinearMAC([[0, 1e200]], [[0, 1e200]])
    assert big.marginal_cost(5e199).tolist() == pytest.approx([5e199], rel=1e-15)
    assert big.total_cost(1e100).tolist() == pytest.approx([5e199], rel=1e-15)
    small = PiecewiseLinearMAC([[0, 1e-200]], [[0, 1e-200]])
    assert small.marginal_cost(5e-201).tolist() == pytest.approx([5e-201], rel=1e-15)
    # A firm capped inside the segment: its last piece ends at MC(cap).
    pieces = big._pieces(np.array([5e199]))
    assert pieces.hi.tolist() == pytest.approx([5e199], rel=1e-15)
    assert pieces.amount.tolist() == [5e199]
