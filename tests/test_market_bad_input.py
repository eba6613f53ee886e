"""Bad input to the market, compliance and linking fails early and names the argument and value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from allocation.abatement import (
    LinearMAC,
    PiecewiseLinearMAC,
    QuadraticMAC,
    StackedMAC,
    TechnologyStep,
)
from allocation.compliance import (
    THREE_TIMES_PRICE,
    PenaltyRule,
    next_period,
    retention_limit,
    surrender,
)
from allocation.linking import Link, Region, linked_equilibrium, two_way
from allocation.market import InfeasibleError, equilibrium, two_firm_model

# ------------------------------------------------------------------ curves


@pytest.mark.parametrize(
    ("abatement", "marginal_cost", "match"),
    [
        ([[0, 10, 20]], [[0, 8, 5]], r"marginal_cost must increase strictly along each firm's "
                                     r"curve \(firm 0: 5\.0 at point 2 after 8\.0 at point 1\)"),
        ([[0, 10, 20]], [[0, 8, 8]], r"marginal_cost must increase strictly .*8\.0 at point 2"),
        ([[0, 10], [0, 5]], [[1, 2], [9, 3]], r"firm 1: 3\.0 at point 1 after 9\.0"),
        ([[0, 10, 10]], [[0, 5, 9]], r"abatement must increase strictly .*10\.0 at point 2"),
        ([[5, 10]], [[0, 5]], r"abatement must start at 0 for every firm \(got 5\.0 for firm 0\)"),
        ([[0]], [[1]], r"at least two points per firm \(got 1 for firm 0\)"),
        ([[0, 10]], [[-1, 5]], r"marginal_cost must be >= 0 \(got -1\.0 for firm 0, point 0\)"),
        ([[0, 10]], [[0, 5, 7]], r"must have the same shape"),
        ([[0, 10, np.nan]], [[0, 5, 6]], r"points in the same places"),
        ([[0, np.nan, 10]], [[0, np.nan, 5]], r"gap in the row of firm 0"),
        ([[0, math.inf]], [[0, 5]], r"abatement must be finite \(got inf for firm 0, point 1\)"),
        ([["a", "b"]], [[0, 5]], r"abatement must hold real numbers"),
        ([[[0, 1]]], [[[0, 1]]], r"one row of points per firm"),
    ],
)
def test_bad_piecewise_data(abatement, marginal_cost, match):
    with pytest.raises((ValueError, TypeError), match=match):
        PiecewiseLinearMAC(abatement, marginal_cost)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: LinearMAC([1.0, 0.0]), ValueError, r"slope must be > 0 \(got 0\.0 at index 1\)"),
        (lambda: LinearMAC([1.0, -2.0]), ValueError,
         r"slope must be >= 0 \(got -2\.0 at index 1\)"),
        (lambda: LinearMAC([math.nan]), ValueError, r"slope must be finite \(got nan"),
        (lambda: LinearMAC("12"), TypeError, r"slope must hold real numbers"),
        (lambda: QuadraticMAC(0.0, 0.0), ValueError,
         r"linear and quadratic must not both be 0 \(got 0\.0 and 0\.0 for firm 0\)"),
        (lambda: QuadraticMAC([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError,
         r"linear must have one value or one per firm \(got 2 for 3 firms\)"),
        (lambda: QuadraticMAC(1.0, 1.0, intercept=-1.0), ValueError,
         r"intercept must be >= 0 \(got -1\.0"),
        (lambda: TechnologyStep(cost=-5.0, capacity=1.0), ValueError, r"cost must be >= 0"),
        (lambda: TechnologyStep(cost=[1.0, 2.0], capacity=[1.0, 2.0, 3.0]), ValueError,
         r"cost must have one value or one per firm"),
        (lambda: StackedMAC([LinearMAC([1.0]), "curve"]), TypeError,  # type: ignore[list-item]
         r"parts\[1\] must be a marginal abatement cost curve \(got 'curve'\)"),
        (lambda: StackedMAC([]), ValueError, r"parts must not be empty"),
    ],
)
def test_bad_curve_parameters(build, error, match):
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize(
    ("method", "value", "match"),
    [
        ("abatement", -1.0, r"price must be >= 0 \(got -1\.0\)"),
        ("abatement", math.inf, r"price must be finite \(got inf\)"),
        ("abatement", [1.0, 2.0, 3.0], r"price must be one value or one per firm \(got 3 for 2"),
        ("marginal_cost", [1.0, -1.0], r"abatement must be >= 0 \(got -1\.0 at index 1\)"),
        ("total_cost", "5", r"abatement must be a real number"),
    ],
)
def test_bad_curve_arguments(method, value, match):
    mac = LinearMAC([1.0, 2.0])
    with pytest.raises((ValueError, TypeError), match=match):
        getattr(mac, method)(value)


# ------------------------------------------------------------- equilibrium

GOOD = {"bau": [100.0, 100.0], "permits": [50, 90], "mac": LinearMAC([1.0, 2.0])}


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"bau": [100.0, -3.0]}, ValueError, r"bau must be >= 0 \(got -3\.0 at index 1\)"),
        ({"bau": [100.0, math.nan]}, ValueError, r"bau must be finite \(got nan at index 1\)"),
        ({"bau": [100.0]}, ValueError, r"lengths differ: bau has 1, permits has 2"),
        ({"bau": []}, ValueError, r"bau must not be empty"),
        ({"permits": [50, -1]}, ValueError, r"permits must be >= 0 \(got -1 at index 1\)"),
        ({"permits": [50, 2.5]}, ValueError, r"permits must be whole numbers \(got 2\.5"),
        ({"mac": LinearMAC([1.0])}, ValueError,
         r"mac must cover one firm per bau entry \(got 1 for 2 firms\)"),
        ({"mac": "linear"}, TypeError, r"mac must be a marginal abatement cost curve"),
        ({"price_floor": 50.0, "price_ceiling": 40.0}, ValueError,
         r"price_floor must be <= price_ceiling \(got 50\.0 > 40\.0\)"),
        ({"price_floor": -1.0}, ValueError, r"price_floor must be >= 0 \(got -1\.0\)"),
        ({"price_ceiling": math.inf}, ValueError, r"price_ceiling must be finite"),
        ({"band": 0.2}, ValueError, r"reference_price and band go together"),
        ({"reference_price": 10.0}, ValueError, r"reference_price and band go together"),
        ({"reference_price": 10.0, "band": (0.1, 0.2, 0.3)}, ValueError,
         r"band must be a share or a pair"),
        ({"reference_price": 10.0, "band": -0.2}, ValueError, r"band below must be >= 0"),
        ({"reference_price": 10.0, "band": 1.5}, ValueError, r"band below must be <= 1"),
        ({"reference_price": 10.0, "band": 0.2, "price_floor": 13.0}, ValueError,
         r"price_floor \(13\.0\) is above the top of the band \(12\.0\)"),
        ({"reference_price": 10.0, "band": 0.2, "price_ceiling": 7.0}, ValueError,
         r"price_ceiling \(7\.0\) is below the bottom of the band \(8\.0\)"),
        ({"max_sale": [1, -1]}, ValueError, r"max_sale must be >= 0 \(got -1 at index 1\)"),
        ({"max_sale": [1]}, ValueError, r"lengths differ"),
        ({"method": "newton"}, ValueError,
         r"method must be one of 'auto', 'exact', 'bracket' \(got 'newton'\)"),
        ({"mac": QuadraticMAC(1.0, [1.0, 1.0]), "method": "exact"}, ValueError,
         r"method='exact' needs piecewise-linear curves"),
    ],
)
def test_bad_equilibrium_arguments(changes, error, match):
    with pytest.raises(error, match=match):
        equilibrium(**{**GOOD, **changes})


def test_firms_that_cannot_abate_enough():
    mac = TechnologyStep(cost=[5.0, 5.0], capacity=[10.0, 10.0])
    with pytest.raises(InfeasibleError, match=r"abate at most 20\.0 tonnes but the permits "
                                              r"require 50\.0; set a price_ceiling"):
        equilibrium([50, 50], [25, 25], mac)
    # InfeasibleError is a ValueError
    assert issubclass(InfeasibleError, ValueError)


def test_bad_input_fails_before_work_and_leaves_arguments_alone():
    bau = np.array([100.0, -1.0])
    with pytest.raises(ValueError, match="bau"):
        equilibrium(bau, [1, 1], LinearMAC([1.0, 1.0]))
    assert bau.tolist() == [100.0, -1.0]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0.0, 1.0, 10.0), ValueError, r"slope_a must be > 0 \(got 0\.0\)"),
        ((1.0, -1.0, 10.0), ValueError, r"slope_b must be >= 0 \(got -1\.0\)"),
        ((1.0, 1.0, -10.0), ValueError, r"reduction must be >= 0 \(got -10\.0\)"),
        ((1.0, 1.0, (1.0, 2.0, 3.0)), ValueError, r"reduction must be one value or a pair"),
        ((1.0, 1.0, (1.0, -2.0)), ValueError, r"reduction\[1\] must be >= 0"),
        (("4", 1.0, 10.0), TypeError, r"slope_a must be a real number \(got '4'\)"),
    ],
)
def test_bad_two_firm_model(args, error, match):
    with pytest.raises(error, match=match):
        two_firm_model(*args)


# -------------------------------------------------------------- compliance


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"emissions": [120, -5]}, ValueError, r"emissions must be >= 0 \(got -5 at index 1\)"),
        ({"emissions": [120.5, 80]}, ValueError, r"emissions must be whole numbers \(got 120\.5"),
        ({"holdings": [100]}, ValueError,
         r"holdings must have one entry per firm \(got 1 for 2 firms\)"),
        ({"holdings": -1}, ValueError, r"holdings must be >= 0 \(got -1\)"),
        ({"offsets": [10, 10], "local_offsets": [11, 0]}, ValueError,
         r"local_offsets must not exceed offsets \(got 11 > 10 at index 0\)"),
        ({"offset_limit": 1.5}, ValueError, r"offset_limit must be in \(0, 1\] \(got 1\.5\)"),
        ({"offset_limit": -0.1}, ValueError, r"offset_limit must be in \(0, 1\] \(got -0\.1\)"),
        ({"local_share": "60%"}, TypeError, r"local_share must be a real number"),
        ({"borrowing_limit": 0.1}, ValueError,
         r"next_allocation is needed when borrowing_limit > 0"),
        ({"penalty": THREE_TIMES_PRICE}, ValueError,
         r"price is needed for a penalty of 3\.0 times the permit price"),
        ({"penalty": 100.0}, TypeError, r"penalty must be a PenaltyRule \(got 100\.0\)"),
        ({"price": -2.0}, ValueError, r"price must be >= 0 \(got -2\.0\)"),
        ({"banking": "yes"}, TypeError, r"banking must be True or False \(got 'yes'\)"),
        ({"use_offsets": "middle"}, ValueError, r"use_offsets must be one of 'first', 'last'"),
    ],
)
def test_bad_surrender_arguments(changes, error, match):
    args = {"emissions": [120, 80], "holdings": [100, 100], **changes}
    with pytest.raises(error, match=match):
        surrender(**args)


def test_bad_penalty_rules_and_retention():
    with pytest.raises(ValueError, match=r"per_tonne must be >= 0 \(got -100\.0\)"):
        PenaltyRule(per_tonne=-100.0)
    with pytest.raises(TypeError, match=r"make_good must be a whole number \(got 1\.5\)"):
        PenaltyRule(make_good=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"share must be in \(0, 1\] \(got 1\.2\)"):
        retention_limit([100], share=1.2)
    with pytest.raises(ValueError, match=r"free must be >= 0 \(got -1 at index 0\)"):
        retention_limit([-1])
    s = surrender([10], [0], borrowing_limit=0.5, next_allocation=[10])
    with pytest.raises(ValueError, match=r"allocation must cover what was borrowed from it "
                                         r"\(got 2 < 5 at index 0\)"):
        next_period(s, [2])


# ----------------------------------------------------------------- linking


def regions():
    cq = Region("chongqing", bau=[100, 100], permits=[70, 70], mac=LinearMAC([2.0, 2.0]))
    sc = Region("sichuan", bau=[100, 100], permits=[70, 70], mac=LinearMAC([1.0, 1.0]))
    return [cq, sc]


@pytest.mark.parametrize(
    ("links", "error", "match"),
    [
        ([Link("sichuan", "tibet")], ValueError,
         r"links\[0\]\.target is an unknown region 'tibet' \(regions: 'chongqing', 'sichuan'\)"),
        ([Link("sichuan", "chongqing"), Link("hubei", "sichuan")], ValueError,
         r"links\[1\]\.source is an unknown region 'hubei'"),
        ([Link("sichuan", "chongqing"), Link("sichuan", "chongqing", rate=2.0)], ValueError,
         r"links\[1\] repeats the link 'sichuan' -> 'chongqing'"),
        ([Link("sichuan", "chongqing", rate=2.0), Link("chongqing", "sichuan", rate=0.6)],
         ValueError, r"loop .* multiply to 1\.2 > 1: trading round it creates permits"),
        (Link("sichuan", "chongqing"), TypeError, r"links must be a sequence of Link"),
        (["sichuan->chongqing"], TypeError, r"links\[0\] must be a Link"),
    ],
)
def test_bad_links(links, error, match):
    with pytest.raises(error, match=match):
        linked_equilibrium(regions(), links)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: Link("sichuan", "sichuan"), ValueError,
         r"a link must join two regions \(got 'sichuan' twice\)"),
        (lambda: Link("sichuan", "chongqing", rate=0.0), ValueError,
         r"rate must be finite and > 0 \(got 0\.0\)"),
        (lambda: Link("sichuan", "chongqing", rate="1"), TypeError,  # type: ignore[arg-type]
         r"rate must be a real number \(got '1'\)"),
        (lambda: Link("sichuan", "chongqing", quota=-5), ValueError,
         r"quota must be >= 0 \(got -5\)"),
        (lambda: Link("sichuan", 3), TypeError,  # type: ignore[arg-type]
         r"target must be a region name \(got 3\)"),
        (lambda: two_way("a", "b", rate=-1.0), ValueError, r"rate must be finite and > 0"),
        (lambda: Region("", bau=[1.0], permits=[1], mac=LinearMAC([1.0])), TypeError,
         r"name must be a non-empty string"),
        (lambda: Region("x", bau=[-1.0], permits=[1], mac=LinearMAC([1.0])), ValueError,
         r"bau must be >= 0 \(got -1\.0 at index 0\)"),
        (lambda: Region("x", bau=[1.0], permits=[1], mac=LinearMAC([1.0, 2.0])), ValueError,
         r"mac must cover one firm per bau entry"),
    ],
)
def test_bad_links_and_regions(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_bad_region_lists():
    cq, sc = regions()
    with pytest.raises(ValueError, match=r"distinct names \(got 'sichuan' twice"):
        linked_equilibrium([sc, sc])
    with pytest.raises(ValueError, match=r"regions must not be empty"):
        linked_equilibrium([])
    with pytest.raises(TypeError, match=r"regions\[1\] must be a Region \(got 'sichuan'\)"):
        linked_equilibrium([cq, "sichuan"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"regions must be a sequence of Region"):
        linked_equilibrium(cq)
    with pytest.raises(ValueError, match=r"max_sweeps must be >= 1 \(got 0\)"):
        linked_equilibrium([cq, sc], max_sweeps=0)
