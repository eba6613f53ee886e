"""Pictures of free allocation: who gets what, by vintage, and how unequally.

Needs the ``plot`` extra (matplotlib), imported only when a function draws.
Each plotting function takes ``ax=None`` (a new figure when omitted) and
returns the :class:`matplotlib.axes.Axes` it drew on.

- :func:`plot_vintage_groups`: the output of
  :func:`allocation.compare <allocation.fairness.compare>` as grouped bars,
  one group per rule, one bar for the incumbents and one for the new
  entrants (free permits per unit of output, or net compliance cost per
  unit of output at a permit price);
- :func:`plot_lorenz`: the Lorenz curve of free permits per unit of output,
  installations weighted by their output, with its Gini coefficient, for
  one allocation or every rule of a comparison;
- :func:`lorenz_curve`: the points of that curve (no matplotlib needed).

References
----------
Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
*Publications of the American Statistical Association* 9(70), 209-219.
Cowell, F. A. (2011). *Measuring Inequality*, 3rd ed. Oxford University
Press, chapter 2 (the Lorenz curve and the Gini coefficient as twice the area
between it and the line of equality).
"""

from __future__ import annotations

from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.fairness import Comparison, gini, permits_per_output
from allocation.free_allocation import Allocation
from auctions._validate import check_choice

__all__ = ["VINTAGE_MEASURES", "lorenz_curve", "plot_lorenz", "plot_vintage_groups"]

#: What :func:`plot_vintage_groups` can show, and the ``Comparison.summary``
#: entries (incumbents, new entrants) each reads.
VINTAGE_MEASURES: Final = {
    "permits_per_output": (
        "incumbent_permits_per_output",
        "new_entrant_permits_per_output",
    ),
    "net_cost_per_output": (
        "incumbent_net_cost_per_output",
        "new_entrant_net_cost_per_output",
    ),
}

_AXIS_LABELS: Final = {
    "permits_per_output": "free permits per unit of output",
    "net_cost_per_output": "net compliance cost per unit of output",
}

_GROUPS: Final = (("incumbents", "tab:blue"), ("new entrants", "tab:orange"))


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'permits[plot]'") from err
    return plt


def plot_vintage_groups(
    comparison: Comparison,
    ax: Any = None,
    *,
    measure: Literal["permits_per_output", "net_cost_per_output"] = "permits_per_output",
    title: str | None = None,
) -> Any:
    """Incumbents against new entrants, rule by rule, as grouped bars.

    One group of two bars per rule of ``comparison``: the incumbents' and the
    new entrants' pooled free permits per unit of output (or net compliance
    cost per unit of output), each bar labelled with its value. The
    difference between the two bars of a group is the rule's vintage gap.
    A group with no installation draws no bar.

    Parameters
    ----------
    comparison : Comparison
        The output of :func:`allocation.compare <allocation.fairness.compare>`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    measure : {"permits_per_output", "net_cost_per_output"}
        What the bars show. The net cost needs a comparison made with a
        ``price`` and with emissions (``emissions=`` or the firms'
        ``current_emissions``).
    title : str, optional
        The title; "incumbents and new entrants, rule by rule" when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The bars are ``ax.containers[0]`` (incumbents) and
        ``ax.containers[1]`` (new entrants), one bar per rule in the order of
        ``comparison.labels``.

    Raises
    ------
    TypeError
        When ``comparison`` is not a :class:`~allocation.fairness.Comparison`.
    ValueError
        For an unknown ``measure``, or a net cost the comparison does not
        hold.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from allocation import Firms, compare
    >>> nan = float("nan")
    >>> firms = Firms(["old", "new"], product="steel", entry_year=[1990, 2021],
    ...               base_years=[2020], emissions=[[800.0], [nan]], output=[[1000.0], [nan]],
    ...               current_output=[1000.0, 1000.0], current_emissions=[800.0, 800.0])
    >>> c = compare(firms, 1400, {"grandfathering": {},
    ...     "benchmarking": {"benchmarks": {"steel": 0.7}, "activity": "current"}}, price=30.0)
    >>> ax = plot_vintage_groups(c)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['grandfathering', 'benchmarking']
    >>> incumbents, entrants = ax.containers
    >>> incumbents.datavalues.tolist(), entrants.datavalues.tolist()
    ([1.4, 0.7], [0.0, 0.7])
    >>> ax = plot_vintage_groups(c, measure="net_cost_per_output")
    >>> ax.containers[1].datavalues.tolist()
    [24.0, 3.0]
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(
            "comparison must be the Comparison returned by allocation.compare "
            f"(got {type(comparison).__name__})"
        )
    kind = check_choice("measure", measure, VINTAGE_MEASURES)
    keys = VINTAGE_MEASURES[kind]
    labels = list(comparison.labels)
    heights = []
    for key in keys:
        missing = [label for label in labels if key not in comparison.summary[label]]
        if missing:
            raise ValueError(
                f"measure={kind!r} needs a comparison made with a price and emissions "
                f"(compare(..., price=...)); {key!r} is missing for {missing[0]!r}"
            )
        heights.append([float(comparison.summary[label][key]) for label in labels])

    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 1.6 * len(labels) + 2.0), 4))
    x = np.arange(len(labels), dtype=np.float64)
    width = 0.38
    for (group, color), offset, values in zip(_GROUPS, (-0.5, 0.5), heights, strict=True):
        bars = ax.bar(x + offset * width, values, width, label=group, color=color)
        ax.bar_label(bars, fmt="%.3g", padding=2, fontsize="small")
    ax.set_xticks(x, labels)
    ax.set_ylabel(_AXIS_LABELS[kind])
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.margins(y=0.15)
    ax.set_title(title or "incumbents and new entrants, rule by rule")
    ax.legend(loc="best")
    return ax


def lorenz_curve(
    values: ArrayLike, weights: ArrayLike | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The points of the Lorenz curve of ``values``, each weighted by ``weights``.

    Values are sorted increasingly; ``x`` is the cumulative share of the
    weights (of the installations, or of their output) and ``y`` the
    cumulative share of ``weight x value`` (of the free permits, when the
    values are permits per unit of output and the weights output). Both
    start at 0 and end at 1. nan values are left out, as in
    :func:`allocation.fairness.gini`, whose coefficient is
    ``1 - sum (x_i - x_{i-1}) (y_i + y_{i-1})``, twice the area between the
    curve and the diagonal. When every value is zero the curve is the
    diagonal (a Gini of 0).

    Parameters
    ----------
    values : array_like of float
        Values >= 0, one-dimensional.
    weights : array_like of float, optional
        Weights >= 0, one per value; equal weights when omitted.

    Returns
    -------
    x, y : ndarray of float64
        The curve's points, ``len(kept values) + 1`` of each.

    Raises
    ------
    ValueError
        For values or weights that are negative or not finite, shapes that
        do not match, or no value with a positive weight.

    Examples
    --------
    Four installations, one holding everything:

    >>> x, y = lorenz_curve([0.0, 0.0, 0.0, 4.0])
    >>> x.tolist(), y.tolist()
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.0, 0.0, 0.0, 1.0])

    Weighted by output: 3 units at 1 permit per unit, 1 unit at 3:

    >>> x, y = lorenz_curve([3.0, 1.0], weights=[1.0, 3.0])
    >>> x.tolist(), y.tolist()
    ([0.0, 0.75, 1.0], [0.0, 0.5, 1.0])
    >>> float(1 - (np.diff(x) * (y[1:] + y[:-1])).sum()), gini([3.0, 1.0], [1.0, 3.0])
    (0.25, 0.25)
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional (got shape {x.shape})")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != x.shape:
        raise ValueError(f"weights must match values (got shapes {w.shape} and {x.shape})")
    keep = ~np.isnan(x)
    x, w = x[keep], w[keep]
    if np.isinf(x).any() or (x < 0).any():
        raise ValueError("values must be finite and >= 0 (nan values are left out)")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and >= 0")
    total = float(w.sum())
    if total <= 0:
        raise ValueError("values must hold at least one value (not nan) with a positive weight")
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    share = np.concatenate(([0.0], np.cumsum(ws) / total))
    share[-1] = 1.0
    mass = float((ws * xs).sum())
    if mass <= 0:
        return share, share.copy()
    held = np.concatenate(([0.0], np.cumsum(ws * xs) / mass))
    held[-1] = 1.0
    return share, held


def plot_lorenz(
    allocation: Allocation | Comparison,
    ax: Any = None,
    *,
    weighted: bool = True,
    title: str | None = None,
) -> Any:
    """The Lorenz curve of free permits per unit of output, with its Gini coefficient.

    Installations are sorted from the fewest free permits per unit of output
    to the most; the curve shows what share of the free permits the
    installations below each point hold. The further it sags below the
    diagonal (equal permits per unit of output for all), the less equal the
    allocation; the Gini coefficient, twice the area between the two, is
    given in the legend and is :func:`allocation.fairness.gini` of
    :func:`allocation.fairness.permits_per_output` weighted by output, as in
    :func:`allocation.compare <allocation.fairness.compare>`. Installations
    without current output are left out.

    Parameters
    ----------
    allocation : Allocation or Comparison
        One allocation (one curve), or a comparison (one curve per rule).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    weighted : bool, default True
        Weight installations by their current output (x: the share of
        output); with False every installation counts once (x: the share
        of installations).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the diagonal, then one line per allocation,
        labelled ``"<rule> (Gini 0.123)"``.

    Raises
    ------
    TypeError
        When ``allocation`` is neither an Allocation nor a Comparison.
    ValueError
        When no installation has current output.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from allocation import Firms, grandfathering
    >>> nan = float("nan")
    >>> firms = Firms(["a", "b", "new"], product="cement", entry_year=[1990, 1995, 2021],
    ...               base_years=[2020], emissions=[[600.0], [200.0], [nan]],
    ...               output=[[1000.0], [1000.0], [nan]], current_output=[1000.0] * 3)
    >>> ax = plot_lorenz(grandfathering(firms, 800))
    >>> [line.get_label() for line in ax.lines]
    ['equal permits per unit of output', 'grandfathering (Gini 0.500)']
    >>> ax.lines[1].get_ydata().tolist()
    [0.0, 0.0, 0.25, 1.0]
    """
    if isinstance(allocation, Comparison):
        runs = list(zip(allocation.labels, allocation.allocations, strict=True))
    elif isinstance(allocation, Allocation):
        runs = [(allocation.rule, allocation)]
    else:
        raise TypeError(
            f"allocation must be an Allocation or a Comparison (got {type(allocation).__name__})"
        )
    curves = []
    for label, a in runs:
        values = permits_per_output(a)
        weights = a.firms.current_output if weighted else None
        if np.isnan(values).all():
            raise ValueError(
                f"allocation {label!r} has no installation with current output > 0: "
                "permits per unit of output are undefined"
            )
        x, y = lorenz_curve(values, weights)
        curves.append((f"{label} (Gini {gini(values, weights):.3f})", x, y))

    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.plot(
        [0.0, 1.0],
        [0.0, 1.0],
        color="grey",
        linestyle="--",
        linewidth=1,
        label="equal permits per unit of output",
    )
    for label, x, y in curves:
        ax.plot(x, y, marker="." if len(x) <= 30 else None, label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("share of output" if weighted else "share of installations")
    ax.set_ylabel("share of free permits")
    ax.set_title(title or "Lorenz curve of permits per unit of output")
    ax.legend(loc="upper left")
    return ax
