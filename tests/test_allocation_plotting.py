"""Plots of free allocation: the bars and curves drawn are the numbers measured."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from allocation import Firms, compare, grandfathering
from allocation.fairness import gini, permits_per_output
from allocation.plotting import lorenz_curve, plot_lorenz, plot_vintage_groups

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
