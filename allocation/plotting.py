"""Pictures of allocation and of the market: who gets what, how unequally, who abates what.

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
- :func:`lorenz_curve`: the points of that curve (no matplotlib needed);
- :func:`plot_mac`: firms' marginal abatement cost curves against tonnes
  abated and, given the market's equilibrium
  (:func:`allocation.market.equilibrium`), the permit price and where each
  firm abates on its curve.

References
----------
Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
*Publications of the American Statistical Association* 9(70), 209-219.
Cowell, F. A. (2011). *Measuring Inequality*, 3rd ed. Oxford University
Press, chapter 2 (the Lorenz curve and the Gini coefficient as twice the area
between it and the line of equality).
Montgomery, W. D. (1972). Markets in licenses and efficient pollution control
programs. *Journal of Economic Theory* 5(3), 395-418 (at the equilibrium
every firm's marginal abatement cost equals the permit price).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.abatement import MarginalAbatementCost, StackedMAC
from allocation.fairness import Comparison, gini, permits_per_output, weighted_values
from allocation.free_allocation import Allocation
from allocation.market import MarketResult
from auctions._validate import check_choice

__all__ = ["VINTAGE_MEASURES", "lorenz_curve", "plot_lorenz", "plot_mac", "plot_vintage_groups"]

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
    x, w = weighted_values(values, weights)
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


# ---------------------------------------------------------------- cost curves

#: Points at which a curve that is not piecewise linear is drawn.
_CURVE_SAMPLES: Final = 201


def _mac_argument(mac: object) -> MarginalAbatementCost:
    """``mac`` as one curve (a sequence of curves is stacked, as in ``equilibrium``)."""
    if isinstance(mac, Sequence) and not isinstance(mac, str | bytes):
        for i, part in enumerate(mac):
            if not isinstance(part, MarginalAbatementCost):
                raise TypeError(
                    f"mac[{i}] must be a marginal abatement cost curve "
                    f"(got {type(part).__name__})"
                )
        if not mac:
            raise ValueError("mac must not be an empty sequence of curves")
        return StackedMAC(mac)
    if not isinstance(mac, MarginalAbatementCost):
        raise TypeError(
            f"mac must be a marginal abatement cost curve (got {type(mac).__name__})"
        )
    return mac


def _firms_argument(firms: ArrayLike | None, n: int) -> NDArray[np.intp]:
    """The indices of the firms to draw: all, a boolean mask, or indices."""
    if firms is None:
        return np.arange(n, dtype=np.intp)
    if isinstance(firms, str | bytes) or np.ndim(firms) != 1:
        raise TypeError(f"firms must be a sequence of firm indices or a mask (got {firms!r})")
    arr = np.asarray(firms)
    if arr.dtype == np.bool_:
        if arr.size != n:
            raise ValueError(f"firms as a mask must have one entry per firm ({n}); got {arr.size}")
        arr = np.flatnonzero(arr)
    elif arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"firms must hold integer firm indices (got dtype {arr.dtype})")
    if arr.size == 0:
        raise ValueError("firms must name at least one firm (got none)")
    bad = (arr < 0) | (arr >= n)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"firms must be indices from 0 to {n - 1} (got {arr[i].item()!r} at position {i})"
        )
    if np.unique(arr).size != arr.size:
        raise ValueError(f"firms must not repeat a firm (got {arr.tolist()!r})")
    return arr.astype(np.intp)


def _labels_argument(labels: Sequence[Any] | NDArray[Any] | None, n: int) -> list[str]:
    if labels is None:
        return [f"firm {i}" for i in range(n)]
    if isinstance(labels, str | bytes) or not isinstance(labels, Sequence | np.ndarray):
        raise TypeError(f"labels must be a sequence of names, one per firm (got {labels!r})")
    if len(labels) != n:
        raise ValueError(
            f"labels must have one name per firm of mac ({n}); got {len(labels)}"
        )
    return [str(label) for label in labels]


def _extent_argument(max_abatement: object) -> float | None:
    if max_abatement is None:
        return None
    if isinstance(max_abatement, bool) or not isinstance(max_abatement, numbers.Real):
        raise TypeError(f"max_abatement must be a number of tonnes (got {max_abatement!r})")
    x = float(max_abatement)
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"max_abatement must be finite and > 0 (got {max_abatement!r})")
    return x


def _curve_points(
    mac: MarginalAbatementCost, limit: NDArray[np.float64]
) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Each firm's curve from 0 to ``limit`` tonnes, as (abatement, marginal cost) points.

    Piecewise-linear curves are drawn exactly, through their break points;
    other curves at :data:`_CURVE_SAMPLES` evenly spaced points.
    """
    if isinstance(mac, StackedMAC):
        out = []
        start = 0
        for part in mac.parts:
            out.extend(_curve_points(part, limit[start : start + part.n_firms]))
            start += part.n_firms
        return out
    n = mac.n_firms
    pieces = mac._pieces(limit)
    if pieces is None:
        t = np.linspace(0.0, 1.0, _CURVE_SAMPLES)
        cost = np.array([mac._marginal_cost(s * limit) for s in t])  # (samples, firms)
        return [
            (t * limit[i], cost[:, i]) if limit[i] > 0 else (t[:1] * 0.0, cost[:1, i])
            for i in range(n)
        ]
    start_cost = mac._marginal_cost(np.zeros(n))
    xs: list[list[float]] = [[0.0] for _ in range(n)]
    ys: list[list[float]] = [[float(c)] for c in start_cost]
    order = np.lexsort((pieces.lo, pieces.firm))
    for k in order.tolist():
        i = int(pieces.firm[k])
        x, lo, hi = xs[i][-1], float(pieces.lo[k]), float(pieces.hi[k])
        if ys[i][-1] != lo:  # a jump in the marginal cost (not met by the curves here)
            xs[i].append(x)
            ys[i].append(lo)
        xs[i].append(x + float(pieces.amount[k]))
        ys[i].append(hi)
    return [(np.array(x), np.array(y)) for x, y in zip(xs, ys, strict=True)]


def plot_mac(
    mac: MarginalAbatementCost | Sequence[MarginalAbatementCost],
    ax: Any = None,
    *,
    result: MarketResult | None = None,
    firms: ArrayLike | None = None,
    labels: Sequence[Any] | NDArray[Any] | None = None,
    max_abatement: float | None = None,
    title: str | None = None,
) -> Any:
    """Marginal abatement cost curves and, given the market's equilibrium, who abates what.

    Each firm's marginal abatement cost is drawn against the tonnes it
    abates. Given ``result``, the equilibrium of the same firms
    (:func:`allocation.market.equilibrium`), the permit price is drawn as a
    horizontal line and each firm's abatement is marked on its curve, at
    ``(abatement, marginal cost there)``. A firm that abates at the price
    is marked on the price line, where its curve crosses it (Montgomery
    1972: at the equilibrium every marginal cost equals the price); a firm
    that abates all it can (all its emissions, or the end of its curve) for
    less is marked below the line.

    Piecewise-linear curves (:class:`~allocation.abatement.LinearMAC`,
    :class:`~allocation.abatement.PiecewiseLinearMAC`,
    :class:`~allocation.abatement.TechnologyStep`) are drawn through their
    break points exactly; other curves at 201 evenly spaced points.

    Parameters
    ----------
    mac : MarginalAbatementCost or sequence of them
        The firms' curves (a sequence is stacked in order, as in
        :func:`~allocation.market.equilibrium`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    result : MarketResult, optional
        The market's equilibrium for the same firms.
    firms : array_like of int or of bool, optional
        The firms to draw: indices into ``mac``'s firms (in the order to
        draw them) or a mask with one entry per firm; all firms when
        omitted.
    labels : sequence, optional
        One name per firm of ``mac`` (all of them, not only those drawn),
        such as ``Firms.id``; ``"firm 0"``, ``"firm 1"``, ... when omitted.
    max_abatement : float, optional
        Draw each curve from 0 to this many tonnes (or to the end of the
        curve, if sooner). When omitted, each curve is drawn to the end of
        the curve, or, given ``result``, to the firm's business-as-usual
        emissions if sooner (a firm cannot abate more than it emits).
    title : str, optional
        The title; "marginal abatement cost" when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[:k]`` are the curves of the ``k`` firms drawn, in the
        order of ``firms``, labelled with their names. Given ``result``,
        ``ax.lines[k]`` is the price line, labelled ``"permit price ..."``,
        and ``ax.lines[k + 1:]`` the firms' abatement markers, one per firm
        drawn, each in its curve's colour.

    Raises
    ------
    TypeError
        When ``mac`` is not a cost curve, ``result`` not a
        :class:`~allocation.market.MarketResult`, or ``firms``, ``labels``
        or ``max_abatement`` of the wrong type.
    ValueError
        When ``result`` or ``labels`` cover a different number of firms
        than ``mac``, ``firms`` holds an index out of range or repeats one,
        ``max_abatement`` is not > 0, or a curve drawn has no end and
        neither ``max_abatement`` nor ``result`` says where to stop.

    See Also
    --------
    allocation.market.equilibrium : the price and each firm's abatement.
    allocation.abatement : the curves.

    Examples
    --------
    Three firms with linear curves ``c_i * a`` must cut 70 tonnes in all;
    the price is 40 and each firm abates ``40 / c_i``:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from allocation.abatement import LinearMAC
    >>> from allocation.market import equilibrium
    >>> mac = LinearMAC([1.0, 2.0, 4.0])
    >>> r = equilibrium(bau=[100, 100, 100], permits=[50, 90, 90], mac=mac)
    >>> ax = plot_mac(mac, result=r, labels=["a", "b", "c"], max_abatement=50.0)
    >>> [line.get_label() for line in ax.lines[:4]]
    ['a', 'b', 'c', 'permit price 40']
    >>> ax.lines[1].get_xdata().tolist(), ax.lines[1].get_ydata().tolist()
    ([0.0, 50.0], [0.0, 100.0])
    >>> [marker.get_xydata().tolist() for marker in ax.lines[4:]]
    [[[40.0, 40.0]], [[20.0, 40.0]], [[10.0, 40.0]]]
    """
    curve = _mac_argument(mac)
    n = curve.n_firms
    if result is not None:
        if not isinstance(result, MarketResult):
            raise TypeError(
                "result must be the MarketResult of allocation.market.equilibrium "
                f"(got {type(result).__name__})"
            )
        if result.n_firms != n:
            raise ValueError(
                f"result must cover the {n} firms of mac (got {result.n_firms} firms)"
            )
    shown = _firms_argument(firms, n)
    names = _labels_argument(labels, n)
    extent = _extent_argument(max_abatement)

    end = curve.max_abatement
    if extent is not None:
        stop = np.minimum(end, extent)
    elif result is not None:
        stop = np.minimum(end, result.bau)
    else:
        endless = [int(i) for i in shown if math.isinf(end[i])]
        if endless:
            raise ValueError(
                f"max_abatement is needed: the curves of firms {endless} have no end "
                "(pass max_abatement=, or result= to stop at each firm's emissions)"
            )
        stop = end
    limit = np.zeros(n)  # the firms not drawn are not computed
    limit[shown] = stop[shown]
    points = _curve_points(curve, limit)

    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    colors = []
    for i in shown.tolist():
        x, y = points[i]
        (line,) = ax.plot(x, y, label=names[i], marker="." if len(x) == 1 else None)
        colors.append(line.get_color())
    if result is not None:
        ax.axhline(
            result.price, color="black", linestyle="--", linewidth=1,
            label=f"permit price {result.price:.6g}",
        )
        abated = np.clip(result.abatement, 0.0, end)  # rounding never leaves the curve
        at = curve.marginal_cost(abated)
        for i, color in zip(shown.tolist(), colors, strict=True):
            ax.plot(
                [float(abated[i])], [float(at[i])], linestyle="none", marker="o",
                color=color, markeredgecolor="black", zorder=3,
                label=f"_abatement of {names[i]}",
            )
    ax.set_xlim(left=0.0)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("abatement (tonnes)")
    ax.set_ylabel("marginal abatement cost (per tonne)")
    ax.set_title(title or "marginal abatement cost")
    ax.legend(loc="best")
    return ax
