"""Plots of free allocation: the bars and curves drawn are the numbers measured."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from allocation import Firms, compare, grandfathering
from allocation.abatement import (
    LinearMAC,
    PiecewiseLinearMAC,
    QuadraticMAC,
    TechnologyStep,
    stack,
)
from allocation.fairness import gini, permits_per_output
from allocation.market import equilibrium
from allocation.plotting import lorenz_curve, plot_lorenz, plot_mac, plot_vintage_groups

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

NAN = math.nan


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def firms() -> Firms:
    """Two cement incumbents (one dirtier) and one new entrant, equal current output."""
    return Firms(
        ["dirty", "clean", "new"],
        product="clinker",
        entry_year=[1990, 2000, 2021],
        base_years=[2019, 2020],
        emissions=[[900.0, 900.0], [600.0, 600.0], [NAN, NAN]],
        output=[[1000.0, 1000.0], [1000.0, 1000.0], [NAN, NAN]],
        current_output=[1000.0, 1000.0, 1000.0],
        current_emissions=[900.0, 600.0, 700.0],
    )


RULES: dict[str, dict[str, Any]] = {
    "grandfathering": {},
    "benchmarking": {"benchmarks": {"clinker": 0.7}, "activity": "current"},
    "historical_intensity": {"reduction_factor": 1.0, "benchmarks": {"clinker": 0.7}},
}


@pytest.fixture
def comparison(firms):
    return compare(firms, 2200, RULES, price=50.0)


def heights(container) -> list[float]:
    return [float(bar.get_height()) for bar in container]


def test_vintage_groups_draws_one_pair_of_bars_per_rule(comparison):
    ax = plot_vintage_groups(comparison)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(comparison.labels)
    incumbents, entrants = ax.containers
    assert len(incumbents) == len(entrants) == 3
    # Grandfathering: the incumbents share the whole cap (2200 over 2000 units of
    # output), the entrant gets nothing. Benchmarking with current output: 0.7
    # for everyone. Historical intensity: own intensity (0.9, 0.6; pooled 0.75)
    # for the incumbents, the benchmark 0.7 for the entrant; 2200 in all.
    assert heights(incumbents) == pytest.approx([1.1, 0.7, 0.75])
    assert heights(entrants) == pytest.approx([0.0, 0.7, 0.7])
    for label in comparison.labels:
        row = comparison.summary[label]
        gap = row["incumbent_permits_per_output"] - row["new_entrant_permits_per_output"]
        assert gap == pytest.approx(row["vintage_gap"])
    # incumbents left of each tick, new entrants right of it
    for inc, ent, tick in zip(incumbents, entrants, ax.get_xticks(), strict=True):
        assert inc.get_x() + inc.get_width() / 2 < tick < ent.get_x() + ent.get_width() / 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["incumbents", "new entrants"]
    assert ax.get_ylabel() == "free permits per unit of output"
    # every bar is labelled with its value
    labels = [t.get_text() for t in ax.texts]
    assert "1.1" in labels and "0" in labels and labels.count("0.7") == 3


def test_vintage_groups_net_cost(comparison):
    ax = plot_vintage_groups(comparison, measure="net_cost_per_output", title="at 50")
    incumbents, entrants = ax.containers
    # price x (emissions - permits) / output: the entrant emits 0.7 per unit
    assert heights(entrants) == pytest.approx([35.0, 0.0, 0.0])
    assert heights(incumbents) == pytest.approx([50 * (0.75 - 1.1), 50 * 0.05, 0.0])
    assert ax.get_ylabel() == "net compliance cost per unit of output"
    assert ax.get_title() == "at 50"


def test_vintage_groups_draws_on_the_axes_given(comparison):
    _, (left, right) = plt.subplots(1, 2)
    assert plot_vintage_groups(comparison, right) is right
    assert not left.containers and len(right.containers) == 2


def test_vintage_groups_without_new_entrants_draws_no_entrant_bar(firms):
    c = compare(firms.incumbents, 1500, ["grandfathering"])
    ax = plot_vintage_groups(c)
    incumbents, entrants = ax.containers
    assert heights(incumbents) == pytest.approx([0.75])
    assert all(math.isnan(h) for h in heights(entrants))


def test_vintage_groups_bad_arguments(comparison, firms):
    with pytest.raises(TypeError, match="comparison must be the Comparison"):
        plot_vintage_groups(grandfathering(firms, 100))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="measure must be one of"):
        plot_vintage_groups(comparison, measure="windfall")  # type: ignore[arg-type]
    no_price = compare(firms, 2200, RULES)
    with pytest.raises(ValueError, match=r"measure='net_cost_per_output' needs .* price"):
        plot_vintage_groups(no_price, measure="net_cost_per_output")


def test_lorenz_curve_points_and_gini():
    x, y = lorenz_curve([0.6, 0.0, 0.2])
    assert x.tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert y.tolist() == pytest.approx([0.0, 0.0, 0.25, 1.0])
    rng = np.random.default_rng(5)
    values, weights = rng.random(50), rng.random(50) * 10
    values[[3, 7]] = np.nan
    x, y = lorenz_curve(values, weights)
    assert len(x) == 49 and x[0] == y[0] == 0.0 and x[-1] == y[-1] == 1.0
    assert (np.diff(x) >= 0).all() and (np.diff(y) >= 0).all()
    assert (y <= x + 1e-12).all()  # below the diagonal
    area_gini = 1 - float((np.diff(x) * (y[1:] + y[:-1])).sum())
    assert area_gini == pytest.approx(gini(values, weights))


def test_lorenz_curve_of_equal_or_zero_values_is_the_diagonal():
    for values in ([2.0, 2.0, 2.0], [0.0, 0.0]):
        x, y = lorenz_curve(values)
        assert y.tolist() == pytest.approx(x.tolist())


@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([[1.0, 2.0]], None, "values must be one-dimensional"),
        ([1.0, -1.0], None, "values must be finite and >= 0"),
        ([1.0, math.inf], None, "values must be finite and >= 0"),
        ([1.0, 2.0], [1.0], "weights must match values"),
        ([1.0, 2.0], [1.0, -1.0], "weights must be finite and >= 0"),
        ([NAN, NAN], None, "at least one value"),
        ([1.0, 2.0], [0.0, 0.0], "at least one value"),
    ],
)
def test_lorenz_curve_bad_input(values, weights, message):
    with pytest.raises(ValueError, match=message):
        lorenz_curve(values, weights)


def test_plot_lorenz_of_one_allocation(firms):
    a = grandfathering(firms, 1500)
    ax = plot_lorenz(a)
    diagonal, curve = ax.lines
    assert diagonal.get_xydata().tolist() == [[0.0, 0.0], [1.0, 1.0]]
    expected = gini(permits_per_output(a), firms.current_output)
    assert curve.get_label() == f"grandfathering (Gini {expected:.3f})"
    # permits 900, 600, 0 on equal output: sorted 0, 600, 900 out of 1500
    assert curve.get_ydata().tolist() == pytest.approx([0.0, 0.0, 0.4, 1.0])
    assert curve.get_xdata().tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert ax.get_xlabel() == "share of output"
    assert ax.get_ylabel() == "share of free permits"
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)


def test_plot_lorenz_of_a_comparison_has_one_curve_per_rule(comparison):
    ax = plot_lorenz(comparison)
    labels = [line.get_label() for line in ax.lines[1:]]
    assert [label.split(" (")[0] for label in labels] == list(comparison.labels)
    for label, line in zip(comparison.labels, ax.lines[1:], strict=True):
        assert f"(Gini {comparison.summary[label]['gini']:.3f})" in line.get_label()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["equal permits per unit of output", *labels]
    # benchmarking with current output gives equal permits per unit: the diagonal
    bench = ax.lines[2]
    assert bench.get_ydata().tolist() == pytest.approx(bench.get_xdata().tolist())


def test_plot_lorenz_unweighted_counts_installations():
    f = Firms(
        ["big", "small"],
        product="p",
        entry_year=2000,
        base_years=[2020],
        emissions=[[100.0], [100.0]],
        output=[[300.0], [100.0]],
        current_output=[300.0, 100.0],
    )
    a = grandfathering(f, 200)  # 100 each: 1/3 and 1 per unit of output
    weighted = plot_lorenz(a).lines[1]
    assert weighted.get_xdata().tolist() == pytest.approx([0.0, 0.75, 1.0])
    assert weighted.get_ydata().tolist() == pytest.approx([0.0, 0.5, 1.0])
    ax = plot_lorenz(a, weighted=False)
    assert ax.lines[1].get_xdata().tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert ax.get_xlabel() == "share of installations"
    assert f"Gini {gini([1 / 3, 1.0]):.3f}" in ax.lines[1].get_label()


def test_plot_lorenz_bad_arguments(firms):
    with pytest.raises(TypeError, match="allocation must be an Allocation or a Comparison"):
        plot_lorenz(firms)
    idle = firms.replace(current_output=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="no installation with current output"):
        plot_lorenz(grandfathering(idle, 100))


# ---------------------------------------------------------------- plot_mac


def xy(line) -> tuple[list[float], list[float]]:
    return [float(v) for v in line.get_xdata()], [float(v) for v in line.get_ydata()]


@pytest.fixture
def three_firms():
    """Linear curves 1a, 2a, 4a; 70 tonnes to cut in all: price 40 (the closed form)."""
    mac = LinearMAC([1.0, 2.0, 4.0])
    return mac, equilibrium(bau=[100, 100, 100], permits=[50, 90, 90], mac=mac)


def test_plot_mac_draws_curves_price_and_abatement(three_firms):
    mac, r = three_firms
    assert r.price == 40.0
    ax = plot_mac(mac, result=r, labels=["a", "b", "c"])
    curves, price, markers = ax.lines[:3], ax.lines[3], ax.lines[4:]
    assert len(ax.lines) == 7 and len(markers) == 3
    # each curve is c_i * a, from 0 to the firm's emissions (100 t)
    for line, slope in zip(curves, [1.0, 2.0, 4.0], strict=True):
        x, y = xy(line)
        assert x == [0.0, 100.0]
        assert y == [0.0, 100.0 * slope]
    # the price is a horizontal line at 40 across the axes
    assert xy(price)[1] == [40.0, 40.0]
    assert xy(price)[0] == [0.0, 1.0]  # axes coordinates: the whole width
    assert price.get_label() == "permit price 40"
    # each firm abates where its marginal cost meets the price: 40 / c_i
    assert [xy(m) for m in markers] == [([40.0], [40.0]), ([20.0], [40.0]), ([10.0], [40.0])]
    assert [m.get_color() for m in markers] == [c.get_color() for c in curves]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a", "b", "c", "permit price 40"]
    assert ax.get_xlabel() == "abatement (tonnes)"
    assert ax.get_ylabel() == "marginal abatement cost (per tonne)"
    assert ax.get_title() == "marginal abatement cost"
    assert ax.get_xlim()[0] == 0.0 and ax.get_ylim()[0] == 0.0


def test_plot_mac_marks_a_firm_at_its_limit_below_the_price():
    # Firm 1 can abate only its 10 t of emissions, for a marginal cost of 10;
    # firm 0 abates the other 40 t and sets the price at 40.
    mac = LinearMAC([1.0, 1.0])
    r = equilibrium([100, 10], [60, 0], mac)
    assert r.price == 40.0 and r.abatement.tolist() == [40.0, 10.0]
    ax = plot_mac(mac, result=r)
    assert [line.get_label() for line in ax.lines[:2]] == ["firm 0", "firm 1"]
    assert xy(ax.lines[1]) == ([0.0, 10.0], [0.0, 10.0])  # stops at its emissions
    assert xy(ax.lines[3]) == ([40.0], [40.0])
    assert xy(ax.lines[4]) == ([10.0], [10.0])  # on its curve, below the price line


def test_plot_mac_some_firms_in_the_order_given(three_firms):
    mac, r = three_firms
    ax = plot_mac(mac, result=r, firms=[2, 0], labels=["a", "b", "c"], max_abatement=50.0)
    assert [line.get_label() for line in ax.lines[:3]] == ["c", "a", "permit price 40"]
    assert xy(ax.lines[0]) == ([0.0, 50.0], [0.0, 200.0])
    assert xy(ax.lines[1]) == ([0.0, 50.0], [0.0, 50.0])
    assert [xy(m) for m in ax.lines[3:]] == [([10.0], [40.0]), ([40.0], [40.0])]
    mask = plot_mac(mac, result=r, firms=np.array([False, True, False]))
    assert [line.get_label() for line in mask.lines] == [
        "firm 1", "permit price 40", "_abatement of firm 1"
    ]
    assert xy(mask.lines[2]) == ([20.0], [40.0])


def test_plot_mac_draws_break_points_exactly_and_samples_smooth_curves():
    mac = stack(
        TechnologyStep(cost=30.0, capacity=25.0),
        PiecewiseLinearMAC(abatement=[[0, 10, 30]], marginal_cost=[[0, 5, 45]]),
        QuadraticMAC(linear=0.5, quadratic=0.02, intercept=5.0),
    )
    ax = plot_mac(mac, max_abatement=60.0)
    step, piecewise, quadratic = ax.lines
    assert xy(step) == ([0.0, 25.0], [30.0, 30.0])  # the step ends at its capacity
    assert xy(piecewise) == ([0.0, 10.0, 30.0], [0.0, 5.0, 45.0])  # its data points
    x, y = xy(quadratic)
    assert len(x) == 201 and x[0] == 0.0 and x[-1] == 60.0
    assert y == pytest.approx([5.0 + 0.5 * a + 0.02 * a * a for a in x])
    assert len(ax.lines) == 3  # no result: no price, no markers


def test_plot_mac_of_steps_at_the_equilibrium():
    # Two technologies: 60 t at 30 and 80 t at 50; 100 t to cut. The dearer
    # one sets the price and runs for 40 t of its 80.
    mac = TechnologyStep(cost=[30.0, 50.0], capacity=[60.0, 80.0])
    r = equilibrium([100, 100], [50, 50], mac)
    assert r.price == 50.0
    ax = plot_mac(mac, result=r)
    assert xy(ax.lines[0]) == ([0.0, 60.0], [30.0, 30.0])
    assert xy(ax.lines[1]) == ([0.0, 80.0], [50.0, 50.0])
    assert xy(ax.lines[2])[1] == [50.0, 50.0]
    assert [xy(m) for m in ax.lines[3:]] == [([60.0], [30.0]), ([40.0], [50.0])]


def test_plot_mac_takes_a_sequence_of_curves_like_equilibrium():
    curves = [LinearMAC([2.0]), TechnologyStep(cost=10.0, capacity=3.0)]
    r = equilibrium([50, 50], [40, 41], curves)
    ax = plot_mac(curves, result=r, labels=np.array(["kiln", "mill"]))
    assert [line.get_label() for line in ax.lines[:2]] == ["kiln", "mill"]
    assert xy(ax.lines[0]) == ([0.0, 50.0], [0.0, 100.0])
    assert xy(ax.lines[1]) == ([0.0, 3.0], [10.0, 10.0])


def test_plot_mac_draws_on_the_axes_given(three_firms):
    mac, r = three_firms
    _, (left, right) = plt.subplots(1, 2)
    assert plot_mac(mac, right, result=r, title="three firms") is right
    assert not left.lines and len(right.lines) == 7
    assert right.get_title() == "three firms"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"mac": "linear"}, TypeError, "mac must be a marginal abatement cost curve"),
        ({"mac": [LinearMAC([1.0]), 3.0]}, TypeError, r"mac\[1\] must be"),
        ({"mac": []}, ValueError, "mac must not be an empty sequence"),
        ({"result": "40"}, TypeError, "result must be the MarketResult"),
        ({"firms": [0, 3]}, ValueError, r"indices from 0 to 2 \(got 3 at position 1\)"),
        ({"firms": [-1]}, ValueError, "firms must be indices from 0 to 2"),
        ({"firms": [1, 1]}, ValueError, "firms must not repeat a firm"),
        ({"firms": []}, ValueError, "firms must name at least one firm"),
        ({"firms": [True, False]}, ValueError, "firms as a mask must have one entry per firm"),
        ({"firms": [0.5]}, TypeError, "firms must hold integer firm indices"),
        ({"firms": "a"}, TypeError, "firms must be a sequence of firm indices"),
        ({"firms": 1}, TypeError, "firms must be a sequence of firm indices"),
        ({"labels": ["a"]}, ValueError, r"labels must have one name per firm of mac \(3\)"),
        ({"labels": "abc"}, TypeError, "labels must be a sequence of names"),
        ({"max_abatement": 0.0}, ValueError, "max_abatement must be finite and > 0"),
        ({"max_abatement": math.inf}, ValueError, "max_abatement must be finite and > 0"),
        ({"max_abatement": "50"}, TypeError, "max_abatement must be a number"),
        ({"max_abatement": True}, TypeError, "max_abatement must be a number"),
    ],
)
def test_plot_mac_bad_arguments(three_firms, kwargs, error, message):
    mac, r = three_firms
    arguments: dict[str, Any] = {"mac": mac, "result": r, **kwargs}
    with pytest.raises(error, match=message):
        plot_mac(arguments.pop("mac"), **arguments)


def test_plot_mac_result_of_other_firms_or_no_end(three_firms):
    _, r = three_firms
    with pytest.raises(ValueError, match=r"result must cover the 2 firms of mac \(got 3"):
        plot_mac(LinearMAC([1.0, 2.0]), result=r)
    with pytest.raises(ValueError, match=r"max_abatement is needed: the curves of firms \[0, 2\]"):
        plot_mac(stack(LinearMAC([1.0]), TechnologyStep(cost=1.0, capacity=5.0),
                       LinearMAC([2.0])))
    # curves with an end need neither
    ax = plot_mac(TechnologyStep(cost=[1.0, 2.0], capacity=[5.0, 7.0]))
    assert [xy(line)[0][-1] for line in ax.lines] == [5.0, 7.0]
