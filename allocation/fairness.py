"""Fairness measures: who a free allocation favours, per firm and per group.

The seeds of this project name the problem: in the Chinese pilots, enterprises
in the system before it began received free permits while later ones paid,
so that "equal" rules were not fair (Yunnan seed, section 2.2), and free
allocation gave no incentive to abate (Sichuan-Chongqing seed, section
4.1.2). The measures here make the gap visible instead of hiding it:

- :func:`permits_per_output`: free permits per unit of current output;
- :func:`net_cost` and :func:`net_cost_per_output`: what compliance costs
  once permits have a price, ``price x (emissions - free permits)``;
- :func:`windfall`: the value of the free permits at a price;
- :func:`vintage_gap`: incumbents' minus new entrants' permits per unit of
  output, product by product; :func:`twin_gap`: the same measured on exact
  twins (each incumbent against a new entrant identical in product, output
  and technology);
- :func:`gini`: the Gini coefficient of permits per unit of output;
- :func:`by_group`: all of them by vintage (incumbent / new entrant),
  sector, region or product;
- :func:`compare`: several rules on the same firms and cap, side by side.

References
----------
Böhringer, C. and Lange, A. (2005). On the design of optimal grandfathering
schemes for emission allowances. *European Economic Review* 49(8),
2041-2055 (updating and closure rules, the treatment of new entrants).
Ellerman, A. D. (2008). New entrant and closure provisions: how do they
distort? *The Energy Journal* 29 (special issue), 63-76.
Sijm, J., Neuhoff, K. and Chen, Y. (2006). CO2 cost pass-through and windfall
profits in the power sector. *Climate Policy* 6(1), 49-72.
Gini, C. (1912). *Variabilità e mutabilità*. Bologna: Cuppini.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.firms import Firms, shown
from allocation.free_allocation import Allocation
from allocation.rules import AllocationRule, get_rule
from auctions._exact import array_fsum, group_sum
from auctions._validate import check_choice, check_nonnegative_int, check_price
from auctions.bids import factorize

__all__ = [
    "GROUPINGS",
    "Comparison",
    "GroupSummary",
    "VintageGap",
    "by_group",
    "compare",
    "gini",
    "net_cost",
    "net_cost_per_output",
    "permits_per_output",
    "twin_gap",
    "vintage_gap",
    "windfall",
]

GROUPINGS: Final = ("vintage", "sector", "region", "product")


def _price(price: object) -> float:
    p = check_price("price", price)
    assert p is not None
    return p


def _per_output(values: NDArray[np.float64], output: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.divide(
        values, output, out=np.full(values.shape, np.nan), where=output > 0
    )
    return out


def _fsum(values: NDArray[np.float64]) -> float:
    """The correctly rounded sum of ``values`` (:func:`math.fsum`), whatever their order.

    Where an exact partial sum leaves the float64 range the values are summed
    at ``2**-64`` and scaled back (inf when the sum itself is beyond it); an
    inf or nan among the values gives their own sum (inf, -inf or nan).
    """
    finite = np.isfinite(values)
    if not finite.all():
        return float(values[~finite].sum())
    try:
        return array_fsum(values)
    except OverflowError:
        with np.errstate(over="ignore"):
            return float(np.ldexp(array_fsum(np.ldexp(values, -64)), 64))


def _groups(codes: NDArray[np.int64], n_groups: int) -> list[NDArray[np.intp]]:
    """The rows of each of ``n_groups`` groups, each in row order."""
    order = np.argsort(codes, kind="stable")
    edges = np.searchsorted(codes[order], np.arange(n_groups + 1)).tolist()
    return [order[a:b] for a, b in itertools.pairwise(edges)]


def _group_fsum(
    groups: list[NDArray[np.intp]], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The correctly rounded sum of ``values`` in each group.

    :func:`numpy.bincount` adds weights in row order, so the last bits of its
    sums depend on the order of the rows; these do not. (The exact sums of
    :mod:`auctions._exact` are of whole numbers by group, or of floats by
    row; this is the sum of floats by group, :func:`_fsum` per group.)
    """
    return np.array([_fsum(values[rows]) for rows in groups], dtype=np.float64)


def permits_per_output(allocation: Allocation) -> NDArray[np.float64]:
    """Free permits per unit of current output (nan where output is zero).

    Examples
    --------
    >>> from allocation import Firms, benchmarking
    >>> f = Firms(["a", "b"], product="p", entry_year=2000, base_years=[2020],
    ...           emissions=[[5.0], [5.0]], output=[[10.0], [10.0]], current_output=[10.0, 0.0])
    >>> permits_per_output(benchmarking(f, benchmarks={"p": 0.5})).tolist()
    [0.5, nan]
    """
    return _per_output(allocation.permits.astype(np.float64), allocation.firms.current_output)


def windfall(allocation: Allocation, price: float) -> NDArray[np.float64]:
    """The value of each installation's free permits at ``price`` (its windfall).

    References
    ----------
    Sijm, Neuhoff and Chen (2006), *Climate Policy* 6(1).

    Examples
    --------
    >>> from allocation import Firms, grandfathering
    >>> f = Firms(["a"], product="p", entry_year=2000, base_years=[2020],
    ...           emissions=[[5.0]], output=[[10.0]], current_output=[10.0])
    >>> windfall(grandfathering(f, 4), 25.0).tolist()
    [100.0]
    """
    out: NDArray[np.float64] = np.asarray(allocation.permits * _price(price), dtype=np.float64)
    return out


def _emissions(firms: Firms, emissions: ArrayLike | None) -> NDArray[np.float64]:
    n = len(firms)
    if emissions is None:
        current = firms.current_emissions
        if current is None:
            raise ValueError(
                "emissions are needed for the net cost: pass emissions= or build Firms "
                "with current_emissions"
            )
        name, values = "current_emissions", current
    else:
        arr = np.asarray(emissions)
        if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
            raise TypeError(f"emissions must hold real numbers (got dtype {arr.dtype})")
        if arr.shape != (n,):
            raise ValueError(f"emissions must have one value per firm (got shape {arr.shape})")
        name, values = "emissions", arr.astype(np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name} must be known, finite and >= 0 (got {float(values[i])!r} for firm "
            f"{shown(firms.id[i])})"
        )
    return values


def net_cost(
    allocation: Allocation, price: float, *, emissions: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Net compliance cost ``price x (emissions - free permits)`` per installation.

    Negative when an installation received more free permits than it emits
    (it can sell the surplus).

    Parameters
    ----------
    allocation : Allocation
    price : float
        The permit price, >= 0.
    emissions : sequence of float, optional
        Emissions in the compliance year; ``firms.current_emissions`` when
        omitted.

    Examples
    --------
    >>> from allocation import Firms, grandfathering
    >>> f = Firms(["a"], product="p", entry_year=2000, base_years=[2020],
    ...           emissions=[[5.0]], output=[[10.0]], current_output=[10.0],
    ...           current_emissions=[6.0])
    >>> net_cost(grandfathering(f, 4), 25.0).tolist()
    [50.0]
    """
    p = _price(price)
    return p * (_emissions(allocation.firms, emissions) - allocation.permits)


def net_cost_per_output(
    allocation: Allocation, price: float, *, emissions: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Net compliance cost per unit of current output (nan where output is zero).

    Examples
    --------
    >>> from allocation import Firms, grandfathering
    >>> f = Firms(["a"], product="p", entry_year=2000, base_years=[2020],
    ...           emissions=[[5.0]], output=[[10.0]], current_output=[10.0],
    ...           current_emissions=[6.0])
    >>> net_cost_per_output(grandfathering(f, 4), 25.0).tolist()
    [5.0]
    """
    return _per_output(
        net_cost(allocation, price, emissions=emissions), allocation.firms.current_output
    )


def _reals_1d(name: str, values: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(values)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (got shape {arr.shape})")
    return np.asarray(arr, dtype=np.float64)


def _first(bad: NDArray[np.bool_], values: NDArray[np.float64]) -> str:
    i = int(np.argmax(bad))
    return f"got {float(values[i])!r} at index {i}"


def weighted_values(
    values: ArrayLike, weights: ArrayLike | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Values and weights checked for an inequality measure, nan values left out.

    A nan value is an undefined one (:func:`permits_per_output` of an
    installation without output): it is left out with its weight. Every
    weight is checked, including those of nan values.

    Raises
    ------
    TypeError
        For values or weights that are not real numbers.
    ValueError
        For values that are not one-dimensional, negative or infinite;
        weights of another shape, negative or not finite.
    """
    x = _reals_1d("values", values)
    w = np.ones_like(x) if weights is None else np.asarray(weights)
    if weights is not None:
        if w.dtype == np.bool_ or w.dtype.kind not in "iuf":
            raise TypeError(f"weights must hold real numbers (got dtype {w.dtype})")
        if w.shape != x.shape:
            raise ValueError(f"weights must match values (got shapes {w.shape} and {x.shape})")
        w = w.astype(np.float64)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise ValueError(f"weights must be finite and >= 0 ({_first(bad, w)})")
    bad = np.isinf(x) | (x < 0)
    if bad.any():
        raise ValueError(f"values must be finite and >= 0 (nan values are left out; "
                         f"{_first(bad, x)})")
    keep = ~np.isnan(x)
    return x[keep], w[keep]


def _scaled(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``values`` times the power of two that brings the largest into [0.5, 1)."""
    top = float(values.max())
    out: NDArray[np.float64] = np.ldexp(values, -math.frexp(top)[1]) if top > 0 else values
    return out


def gini(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    nan_policy: Literal["omit", "raise"] = "omit",
) -> float:
    """The Gini coefficient of ``values`` (0: all equal; near 1: one holds all).

    Computed from the Lorenz curve: ``1 - sum_i w_i (L_{i-1} + L_i) / W``
    over values sorted increasingly, with ``L`` the cumulative share of the
    weighted total. With unit weights this is the usual
    ``sum_i (2i - n - 1) x_(i) / (n sum x)``. The coefficient of values that
    are all zero is 0.

    The coefficient does not change when the values, or the weights, are
    multiplied by a constant: both are scaled by a power of two first, so
    that no sum overflows, and the result is the same bit for bit whatever
    the order of the values.

    Parameters
    ----------
    values : array_like of float
        Values >= 0 (permits per unit of output, say).
    weights : array_like of float, optional
        Weights >= 0 (output, say), one per value; all 1 when omitted.
    nan_policy : {"omit", "raise"}, default "omit"
        What a nan value means. ``"omit"``: an undefined value, such as the
        permits per unit of output of an installation without output; it is
        left out together with its weight. ``"raise"``: an error, refused
        with its index.

    Raises
    ------
    TypeError
        For values or weights that are not real numbers.
    ValueError
        For values that are empty, not one-dimensional, negative or
        infinite; a nan value under ``nan_policy="raise"``; weights of
        another shape, negative or not finite; no value (other than nan)
        with a positive weight, for which the coefficient is undefined.

    References
    ----------
    Gini (1912); Cowell, F. A. (2011). *Measuring Inequality*, 3rd ed.
    Oxford University Press, chapter 2.

    Examples
    --------
    >>> gini([1.0, 1.0, 1.0])
    0.0
    >>> gini([0.0, 0.0, 0.0, 4.0])
    0.75
    >>> round(gini([1.0, 2.0, 3.0, 4.0]), 4)
    0.25
    >>> round(gini([1e200, 3e200], [1e200, 1e200]), 12)
    0.25

    nan values are left out, unless refused:

    >>> gini([1.0, float("nan"), 3.0])
    0.25
    >>> gini([1.0, float("nan"), 3.0], nan_policy="raise")
    Traceback (most recent call last):
    ...
    ValueError: values must not hold nan with nan_policy='raise' (got nan at index 1)
    """
    policy = check_choice("nan_policy", nan_policy, ("omit", "raise"))
    raw = _reals_1d("values", values)
    if raw.size == 0:
        raise ValueError("values must not be empty (got 0 values)")
    if policy == "raise" and np.isnan(raw).any():
        i = int(np.argmax(np.isnan(raw)))
        raise ValueError(
            f"values must not hold nan with nan_policy='raise' (got nan at index {i})"
        )
    x, w = weighted_values(raw, weights)
    held = w > 0
    if not held.any():
        raise ValueError(
            "values must hold at least one value (not nan) with a positive weight "
            f"(got {raw.size} values, {x.size} of them not nan)"
        )
    x, w = x[held], w[held]
    order = np.lexsort((w, x))  # one order for every permutation of the pairs
    xs, ws = _scaled(x[order]), _scaled(w[order])
    cumulative = np.cumsum(ws * xs)
    mass = float(cumulative[-1])
    if mass <= 0:
        return 0.0
    lorenz = cumulative / mass
    previous = np.concatenate(([0.0], lorenz[:-1]))
    return float(1.0 - (ws * (previous + lorenz)).sum() / ws.sum())


def _gini_or_nan(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """:func:`gini` of the values that are not nan and have a positive weight;
    nan when there are none."""
    keep = ~np.isnan(values) & (weights > 0)
    return gini(values[keep], weights[keep]) if keep.any() else math.nan


@dataclass(frozen=True, kw_only=True, eq=False)
class VintageGap:
    """Incumbents' minus new entrants' free permits per unit of output, by product.

    Attributes
    ----------
    product : ndarray
        The products, in order of first appearance.
    incumbent, new_entrant : ndarray of float64
        Pooled free permits per unit of current output (total permits over
        total output, both exact sums, so that the order of the rows does
        not matter) of each group; nan where the group is empty.
    gap : ndarray of float64
        ``incumbent - new_entrant``; nan where either group is empty.
    overall : float
        The gaps averaged over products weighted by the new entrants' output
        (nan when no product has both groups).
    """

    product: NDArray[Any]
    incumbent: NDArray[np.float64]
    new_entrant: NDArray[np.float64]
    gap: NDArray[np.float64]
    overall: float

    def cost_gap(self, price: float) -> NDArray[np.float64]:
        """The gap in net compliance cost per unit of output at ``price``.

        For an incumbent and a new entrant of identical technology (equal
        emissions per unit of output) the entrant pays ``price x gap`` more
        per unit of output.
        """
        out: NDArray[np.float64] = _price(price) * self.gap
        return out


def vintage_gap(allocation: Allocation) -> VintageGap:
    """Incumbents' minus new entrants' free permits per unit of output, by product.

    Examples
    --------
    Grandfathering gives the new entrant nothing; the gap is the incumbents'
    permits per unit of output:

    >>> from allocation import Firms, grandfathering
    >>> nan = float("nan")
    >>> f = Firms(["old", "new"], product="steel", entry_year=[1990, 2021],
    ...           base_years=[2020], emissions=[[800.0], [nan]], output=[[1000.0], [nan]],
    ...           current_output=[1000.0, 1000.0])
    >>> g = vintage_gap(grandfathering(f, 700))
    >>> g.gap.tolist(), g.overall, g.cost_gap(30.0).tolist()
    ([0.7], 0.7, [21.0])
    """
    firms = allocation.firms
    codes, products = firms.product_codes
    m = len(products)
    new = firms.is_new_entrant
    out = firms.current_output

    def pooled(mask: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        permits = group_sum(codes[mask], allocation.permits[mask], m).astype(np.float64)
        volume = _group_fsum(_groups(codes[mask], m), out[mask])
        return _per_output(permits, volume), volume

    inc, _ = pooled(~new)
    ent, ent_volume = pooled(new)
    gap = inc - ent
    both = ~np.isnan(gap)
    weight = _fsum(ent_volume[both])
    overall = _fsum(gap[both] * ent_volume[both]) / weight if weight > 0 else math.nan
    return VintageGap(product=products, incumbent=inc, new_entrant=ent, gap=gap, overall=overall)


def twin_gap(
    rule: str | AllocationRule, firms: Firms, cap: int | None, **options: Any
) -> NDArray[np.float64]:
    """Each incumbent's free permits per unit of output minus those of its exact twin.

    For every incumbent a twin is added: a new entrant identical in product,
    sector, region, current output and current emissions, entering in the
    allocation year, with no history. The rule is run on firms and twins
    together (twins compete for the same cap) and the gap is the incumbent's
    permits per unit of output minus its twin's. Under benchmarking with
    current activity the gap is zero up to one permit of rounding; under
    grandfathering it is the incumbent's whole allocation.

    Returns
    -------
    ndarray of float64
        One value per row of ``firms``; nan for new entrants and for
        incumbents with zero current output (all nan when there is no
        incumbent; the rule is then run on ``firms`` alone, to check its
        arguments).

    Examples
    --------
    >>> from allocation import Firms
    >>> f = Firms(["a", "b"], product="p", entry_year=2000, base_years=[2020],
    ...           emissions=[[8.0], [4.0]], output=[[10.0], [10.0]],
    ...           current_output=[10.0, 10.0], current_emissions=[8.0, 4.0])
    >>> twin_gap("benchmarking", f, None, benchmarks={"p": 0.5}, activity="current").tolist()
    [0.0, 0.0]
    >>> twin_gap("grandfathering", f, 12).tolist()
    [0.8, 0.4]

    New entrants have no twin:

    >>> nan = float("nan")
    >>> g = Firms(["a", "new"], product="p", entry_year=[2000, 2021], base_years=[2020],
    ...           emissions=[[8.0], [nan]], output=[[10.0], [nan]], current_output=[10.0, 10.0])
    >>> twin_gap("grandfathering", g, 8).tolist(), twin_gap("grandfathering", g.new_entrants, 8)
    ([0.8, nan], array([nan]))
    """
    fn = rule if callable(rule) else get_rule(rule)
    inc = np.flatnonzero(~firms.is_new_entrant)
    year = options.get("year")
    entry = int(firms.base_years[-1]) + 1 if year is None else _year(year)
    if not inc.size:  # no incumbent, no twin; the rule still checks its arguments
        fn(firms, cap, **options)
        return np.full(len(firms), np.nan)
    twins = firms.take(inc)
    ids = [("twin", x) for x in twins.id.tolist()]
    nan_history = np.full(twins.emissions.shape, np.nan)
    twin_table = Firms(
        ids,
        product=twins.product,
        entry_year=np.full(len(inc), entry),
        base_years=firms.base_years,
        emissions=nan_history,
        output=nan_history,
        current_output=twins.current_output,
        sector=twins.sector,
        region=twins.region,
        capacity=twins.capacity,
        current_emissions=twins.current_emissions,
    )
    both = _concat(firms, twin_table)
    result = fn(both, cap, **options)
    n = len(firms)
    per_output = permits_per_output(result)
    out = np.full(n, np.nan)
    out[inc] = per_output[inc] - per_output[n:]
    return out


def _year(year: object) -> int:
    y = check_nonnegative_int("year", year)
    if y >= 2**63:
        shown_year = y if y.bit_length() <= 64 else f"an integer of {y.bit_length()} bits"
        raise ValueError(f"year must be below 2**63 (got {shown_year})")
    return y


def _concat(a: Firms, b: Firms) -> Firms:
    def cat(x: Any, y: Any) -> Any:
        if x is None or y is None:
            return None
        return np.concatenate((np.asarray(x, dtype=object), np.asarray(y, dtype=object)))

    ids = np.empty(len(a) + len(b), dtype=object)
    ids[: len(a)] = a.id.tolist()
    ids[len(a) :] = b.id.tolist()
    closure = np.concatenate((a.closure_year, b.closure_year))
    return Firms(
        ids,
        product=cat(a.product, b.product),
        entry_year=np.concatenate((a.entry_year, b.entry_year)),
        base_years=a.base_years,
        emissions=np.vstack((a.emissions, b.emissions)),
        output=np.vstack((a.output, b.output)),
        current_output=np.concatenate((a.current_output, b.current_output)),
        sector=cat(a.sector, b.sector),
        region=cat(a.region, b.region),
        closure_year=[None if math.isnan(v) else float(v) for v in closure.tolist()],
        capacity=None
        if a.capacity is None or b.capacity is None
        else np.concatenate((a.capacity, b.capacity)),
        current_emissions=None
        if a.current_emissions is None or b.current_emissions is None
        else np.concatenate((a.current_emissions, b.current_emissions)),
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class GroupSummary:
    """Fairness measures per group of installations.

    Attributes
    ----------
    by : str
        The grouping: ``"vintage"``, ``"sector"``, ``"region"`` or
        ``"product"``.
    group : ndarray
        The groups (``"incumbent"`` and ``"new_entrant"`` for vintage).
    firms : ndarray of int64
        Installations per group.
    output, permits : ndarray of float64
        Total current output and free permits per group (exact sums,
        correctly rounded: they do not depend on the order of the rows).
    permits_per_output : ndarray of float64
        Pooled free permits per unit of output.
    gini : ndarray of float64
        Gini coefficient of permits per unit of output within the group
        (installations with output, weighted by output); nan for a group
        without output.
    windfall : ndarray of float64 or None
        Value of the group's free permits at the price (when given).
    net_cost_per_output : ndarray of float64 or None
        Pooled net compliance cost per unit of output (when a price and
        emissions are available).
    """

    by: str
    group: NDArray[Any]
    firms: NDArray[np.int64]
    output: NDArray[np.float64]
    permits: NDArray[np.float64]
    permits_per_output: NDArray[np.float64]
    gini: NDArray[np.float64]
    windfall: NDArray[np.float64] | None = None
    net_cost_per_output: NDArray[np.float64] | None = None

    def to_frame(self) -> Any:
        """The summary as a :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        data: dict[str, Any] = {
            self.by: self.group,
            "firms": self.firms,
            "output": self.output,
            "permits": self.permits,
            "permits_per_output": self.permits_per_output,
            "gini": self.gini,
        }
        if self.windfall is not None:
            data["windfall"] = self.windfall
        if self.net_cost_per_output is not None:
            data["net_cost_per_output"] = self.net_cost_per_output
        return pd.DataFrame(data)


def by_group(
    allocation: Allocation,
    by: Literal["vintage", "sector", "region", "product"] = "vintage",
    *,
    price: float | None = None,
    emissions: ArrayLike | None = None,
) -> GroupSummary:
    """Fairness measures per vintage (incumbent / new entrant), sector, region or product.

    Parameters
    ----------
    allocation : Allocation
    by : {"vintage", "sector", "region", "product"}, default "vintage"
    price : float, optional
        A permit price for the windfall and the net cost.
    emissions : sequence of float, optional
        Compliance-year emissions for the net cost (default
        ``firms.current_emissions``; without either, no net cost).

    Examples
    --------
    >>> from allocation import Firms, grandfathering
    >>> nan = float("nan")
    >>> f = Firms(["old", "new"], product="steel", entry_year=[1990, 2021],
    ...           base_years=[2020], emissions=[[800.0], [nan]], output=[[1000.0], [nan]],
    ...           current_output=[1000.0, 1000.0], current_emissions=[800.0, 800.0])
    >>> s = by_group(grandfathering(f, 700), price=30.0)
    >>> s.group.tolist(), s.permits_per_output.tolist(), s.net_cost_per_output.tolist()
    (['incumbent', 'new_entrant'], [0.7, 0.0], [3.0, 24.0])
    """
    kind = check_choice("by", by, GROUPINGS)
    p = None if price is None else _price(price)
    firms = allocation.firms
    e = None
    if emissions is not None or (p is not None and firms.current_emissions is not None):
        e = _emissions(firms, emissions)
    if kind == "vintage":
        codes = firms.is_new_entrant.astype(np.int64)
        groups = np.array(["incumbent", "new_entrant"], dtype=object)
    else:
        labels = getattr(firms, kind)
        if labels is None:
            raise ValueError(f"by={kind!r} needs the firms' {kind} (got {kind}=None)")
        codes, groups = factorize(labels)
    m = len(groups)
    rows = _groups(codes, m)
    out = firms.current_output
    count = np.array([r.size for r in rows], dtype=np.int64)
    volume = _group_fsum(rows, out)
    permits = group_sum(codes, allocation.permits, m).astype(np.float64)
    per_output = permits_per_output(allocation)
    ginis = np.array([_gini_or_nan(per_output[r], out[r]) for r in rows], dtype=np.float64)
    value = None if p is None else np.asarray(permits * p, dtype=np.float64)
    cost = None
    if p is not None and e is not None:
        cost = _per_output(_group_fsum(rows, p * (e - allocation.permits)), volume)
    return GroupSummary(
        by=kind,
        group=groups,
        firms=count,
        output=volume,
        permits=permits,
        permits_per_output=_per_output(permits, volume),
        gini=ginis,
        windfall=value,
        net_cost_per_output=cost,
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class Comparison:
    """Several rules on the same firms and cap, side by side.

    Attributes
    ----------
    labels : tuple of str
        One label per rule run.
    allocations : tuple of Allocation
        The allocations, in the order of ``labels``.
    permits : ndarray of int64, shape (n_firms, n_rules)
        Free permits per installation and rule.
    summary : dict
        Per label: ``free``, ``reserved``, ``auctioned``,
        ``correction_factor``, ``incumbent_permits_per_output``,
        ``new_entrant_permits_per_output``, ``vintage_gap`` (the overall
        gap), ``gini`` (of permits per unit of output, weighted by output;
        nan when no installation has output)
        and, with a price, ``windfall`` and (with emissions)
        ``incumbent_net_cost_per_output`` and
        ``new_entrant_net_cost_per_output``.
    """

    labels: tuple[str, ...]
    allocations: tuple[Allocation, ...]
    permits: NDArray[np.int64]
    summary: dict[str, dict[str, float]]

    def to_frame(self) -> Any:
        """One row per installation, one permits column per rule (``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        firms = self.allocations[0].firms
        data: dict[str, Any] = {
            "id": firms.id,
            "product": firms.product,
            "new_entrant": firms.is_new_entrant,
            "current_output": firms.current_output,
        }
        for j, label in enumerate(self.labels):
            data[label] = self.permits[:, j]
        return pd.DataFrame(data)

    def summary_frame(self) -> Any:
        """The summary as a :class:`pandas.DataFrame`, one column per rule."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("summary_frame needs pandas: pip install 'permits[pandas]'") from err
        return pd.DataFrame(self.summary)

    def __str__(self) -> str:
        measures = list(next(iter(self.summary.values())))
        header = ["measure", *self.labels]
        rows = [[m, *(self.summary[label][m] for label in self.labels)] for m in measures]
        widths = [
            max(len(str(h)), *(len(_cell(r[i])) for r in rows)) for i, h in enumerate(header)
        ]
        lines = [
            "  ".join(
                str(h).ljust(w) if i == 0 else str(h).rjust(w)
                for i, (h, w) in enumerate(zip(header, widths, strict=True))
            ).rstrip()
        ]
        lines.append("  ".join("-" * w for w in widths))
        for r in rows:
            lines.append(
                "  ".join(
                    _cell(x).ljust(w) if i == 0 else _cell(x).rjust(w)
                    for i, (x, w) in enumerate(zip(r, widths, strict=True))
                ).rstrip()
            )
        return "\n".join(lines)


def _cell(x: object) -> str:
    if isinstance(x, float):
        if math.isnan(x):
            return "-"
        return f"{x:,.0f}" if x.is_integer() and abs(x) >= 1 else f"{x:,.4f}"
    return str(x)


def _plan(
    rules: Mapping[str, Mapping[str, Any]] | Sequence[str],
) -> dict[str, tuple[AllocationRule, dict[str, Any]]]:
    """Each run's label, rule and options, all checked before any rule runs."""
    if isinstance(rules, Mapping):
        runs = list(rules.items())
    elif isinstance(rules, str | bytes) or not isinstance(rules, Iterable):
        raise TypeError(f"rules must be a sequence of rule names or a mapping (got {rules!r})")
    else:
        runs = [(name, {}) for name in rules]
    if not runs:
        raise ValueError("rules must name at least one rule")
    plan: dict[str, tuple[AllocationRule, dict[str, Any]]] = {}
    for label, options in runs:
        key = str(label)
        if key in plan:
            raise ValueError(
                f"rules must not repeat a rule (got {key!r} twice); to run a rule with "
                "other options, give each run its own label in a mapping"
            )
        if not isinstance(options, Mapping):
            raise TypeError(
                f"the options of rule {key!r} must be a mapping (got {options!r})"
            )
        chosen = dict(options)
        plan[key] = (get_rule(chosen.pop("rule", key)), chosen)
    return plan


def compare(
    firms: Firms,
    cap: int | None,
    rules: Mapping[str, Mapping[str, Any]] | Sequence[str],
    *,
    price: float | None = None,
    emissions: ArrayLike | None = None,
) -> Comparison:
    """Run several rules on the same firms and cap and tabulate them side by side.

    Parameters
    ----------
    firms : Firms
    cap : int or None
    rules : mapping or sequence
        Either rule names, or a mapping from a label to the options of one
        run; the options may name the rule with ``"rule"`` (otherwise the
        label is the rule's name), e.g. ``{"output-based": {"rule":
        "benchmarking", "activity": "current", "benchmarks": {...}}}``.
    price : float, optional
        A permit price, for the windfall and net costs.
    emissions : sequence of float, optional
        Compliance-year emissions for net costs (default
        ``firms.current_emissions``).

    Returns
    -------
    Comparison
        ``print(comparison)`` shows the summary table.

    Raises
    ------
    ValueError, TypeError
        Before any rule runs: for no rule, a rule named twice (each label
        runs once; give two runs of one rule their own labels in a mapping),
        options that are not a mapping, an unknown rule, a bad price or
        emissions.

    Examples
    --------
    >>> from allocation import Firms
    >>> nan = float("nan")
    >>> f = Firms(["old", "new"], product="steel", entry_year=[1990, 2021],
    ...           base_years=[2020], emissions=[[800.0], [nan]], output=[[1000.0], [nan]],
    ...           current_output=[1000.0, 1000.0], current_emissions=[800.0, 800.0])
    >>> c = compare(f, 1400, {"grandfathering": {},
    ...     "benchmarking": {"benchmarks": {"steel": 0.7}, "activity": "current"},
    ...     "equal_quantity": {}})
    >>> c.permits.tolist()
    [[1400, 700, 700], [0, 700, 700]]
    >>> [c.summary[k]["vintage_gap"] for k in c.labels]
    [1.4, 0.0, 0.0]
    """
    plan = _plan(rules)
    p = None if price is None else _price(price)
    if emissions is not None:
        emissions = _emissions(firms, emissions)
    allocations = []
    summary: dict[str, dict[str, float]] = {}
    for label, (fn, options) in plan.items():
        a = fn(firms, cap, **options)
        allocations.append(a)
        groups = by_group(a, "vintage", price=p, emissions=emissions)
        out = firms.current_output
        row: dict[str, float] = {
            "free": float(a.free),
            "reserved": float(a.reserved),
            "auctioned": float(a.auctioned),
            "correction_factor": a.correction_factor,
            "incumbent_permits_per_output": float(groups.permits_per_output[0]),
            "new_entrant_permits_per_output": float(groups.permits_per_output[1]),
            "vintage_gap": vintage_gap(a).overall,
            "gini": _gini_or_nan(permits_per_output(a), out),
        }
        if p is not None:
            row["windfall"] = float(a.free) * p
            if groups.net_cost_per_output is not None:
                row["incumbent_net_cost_per_output"] = float(groups.net_cost_per_output[0])
                row["new_entrant_net_cost_per_output"] = float(groups.net_cost_per_output[1])
        summary[label] = row
    permits = np.column_stack([a.permits for a in allocations])
    permits.flags.writeable = False
    return Comparison(
        labels=tuple(plan), allocations=tuple(allocations), permits=permits, summary=summary
    )
