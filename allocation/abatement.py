"""Marginal abatement cost curves, vectorised over firms.

A marginal abatement cost (MAC) curve says what the last tonne of abatement
costs a firm once it already abates ``a`` tonnes. Every curve in this module
covers a whole population of firms at once (one row per firm) and answers the
same three questions, each returning one value per firm:

- :meth:`~MarginalAbatementCost.marginal_cost` at given abatement levels;
- :meth:`~MarginalAbatementCost.total_cost` of abating that much (the area
  under the curve from 0);
- :meth:`~MarginalAbatementCost.abatement` a firm chooses when a tonne of
  emissions costs ``price`` (the inverse of the curve: abate while the
  marginal cost is below the price).

Curves
------
:class:`LinearMAC`
    Marginal cost ``c_i * a`` (quadratic total cost), the textbook curve of
    Montgomery (1972) and of the two-firm model in seed 000.
:class:`QuadraticMAC`
    Marginal cost ``e_i + b_i * a + d_i * a**2`` (a cubic total cost), with an
    optional intercept ``e_i`` below which the firm does not abate at all.
:class:`PiecewiseLinearMAC`
    Straight lines through data points ``(abatement, marginal cost)``, as
    engineering studies publish them; beyond the last point the firm cannot
    abate more.
:class:`TechnologyStep`
    A technology that abates up to a capacity at a constant cost per tonne
    (one step of a "McKinsey" abatement curve).
:class:`StackedMAC` (built by :func:`stack`)
    Several curves side by side, so that firms of different kinds share one
    market.

Abatement is measured in tonnes and is real-valued; permits, which are
whole, appear only in :mod:`allocation.market` and
:mod:`allocation.compliance`. A firm indifferent at a price (on the flat step
of a :class:`TechnologyStep`) is reported by :meth:`abatement` at the top of
its range; the market solver then fills tied steps in equal proportion.

References
----------
Montgomery, W. D. (1972). Markets in licenses and efficient pollution
control programs. *Journal of Economic Theory* 5(3), 395-418.
Baumol, W. J. and Oates, W. E. (1971). The use of standards and prices for
protection of the environment. *Swedish Journal of Economics* 73(1), 42-54.
Kesicki, F. and Ekins, P. (2012). Marginal abatement cost curves: a call for
caution. *Climate Policy* 12(2), 219-236 (step curves built from
technologies, and their limits).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._validate import as_prices, check_price

__all__ = [
    "LinearMAC",
    "MarginalAbatementCost",
    "PiecewiseLinearMAC",
    "QuadraticMAC",
    "StackedMAC",
    "TechnologyStep",
    "stack",
]

FloatArray = NDArray[np.float64]


class Pieces(NamedTuple):
    """A piecewise-linear supply of abatement, for the exact market solver.

    Piece ``k`` of firm ``firm[k]`` supplies ``amount[k]`` tonnes spread evenly
    over the prices ``lo[k]`` to ``hi[k]``; ``lo == hi`` is a step (all the
    tonnes at one price).
    """

    firm: NDArray[np.intp]
    lo: FloatArray
    hi: FloatArray
    amount: FloatArray


def _readonly(arr: NDArray[Any]) -> NDArray[Any]:
    arr.flags.writeable = False
    return arr


def _per_firm(name: str, values: ArrayLike) -> FloatArray:
    """A read-only float64 array >= 0 with one entry per firm (a scalar is one firm)."""
    return as_prices(name, np.atleast_1d(values) if np.ndim(values) == 0 else values)


def _positive(name: str, arr: FloatArray) -> FloatArray:
    zero = arr <= 0
    if zero.any():
        i = int(np.argmax(zero))
        raise ValueError(f"{name} must be > 0 (got {arr[i].item()!r} at index {i})")
    return arr


class MarginalAbatementCost(ABC):
    """The interface every marginal abatement cost curve offers.

    Subclasses describe ``n_firms`` firms at once. The public methods check
    their argument (a scalar, or one value per firm, finite and >= 0) and
    return a fresh float64 array with one value per firm.
    """

    @property
    @abstractmethod
    def n_firms(self) -> int:
        """Number of firms the curve describes."""

    def __len__(self) -> int:
        return self.n_firms

    @property
    def max_abatement(self) -> FloatArray:
        """The most each firm can abate (``inf`` where the curve has no end)."""
        return np.full(self.n_firms, math.inf)

    # ------------------------------------------------------------ public API
    def marginal_cost(self, abatement: ArrayLike) -> FloatArray:
        """Marginal cost of the last tonne at ``abatement`` tonnes (``inf`` beyond the maximum).

        Parameters
        ----------
        abatement : float or array_like of float
            Tonnes abated, >= 0: one value for all firms or one per firm.

        Returns
        -------
        ndarray of float64, one value per firm
        """
        return self._marginal_cost(self._per_firm_argument("abatement", abatement))

    def total_cost(self, abatement: ArrayLike) -> FloatArray:
        """Total cost of abating ``abatement`` tonnes (``inf`` beyond the maximum).

        Parameters
        ----------
        abatement : float or array_like of float
            Tonnes abated, >= 0: one value for all firms or one per firm.

        Returns
        -------
        ndarray of float64, one value per firm
        """
        return self._total_cost(self._per_firm_argument("abatement", abatement))

    def abatement(self, price: ArrayLike) -> FloatArray:
        """Tonnes each firm abates when a tonne of emissions costs ``price``.

        A firm abates while its marginal cost is at most the price; where it
        is indifferent over a range (a flat step) the top of the range is
        returned.

        Parameters
        ----------
        price : float or array_like of float
            Permit price, >= 0: one for all firms or one per firm.

        Returns
        -------
        ndarray of float64, one value per firm
        """
        return self._abatement(self._per_firm_argument("price", price))

    # ------------------------------------------------------ for subclasses
    @abstractmethod
    def _marginal_cost(self, a: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _total_cost(self, a: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _abatement(self, p: FloatArray) -> FloatArray: ...

    def _abatement_below(self, p: FloatArray) -> FloatArray:
        """The bottom of the abatement range at ``p`` (the limit from below)."""
        return self._abatement(p)

    def _jumps(self) -> tuple[NDArray[np.intp], FloatArray]:
        """Firms and prices at which a firm's abatement jumps (flat steps)."""
        return np.empty(0, dtype=np.intp), np.empty(0)

    def _pieces(self, limit: FloatArray) -> Pieces | None:
        """The curve truncated at ``limit`` tonnes per firm, as linear pieces.

        ``None`` when the curve is not piecewise linear.
        """
        return None

    def _per_firm_argument(self, name: str, value: ArrayLike) -> FloatArray:
        n = self.n_firms
        if np.ndim(value) == 0:
            return np.full(n, check_price(name, value))
        arr = as_prices(name, value)
        if len(arr) != n:
            raise ValueError(
                f"{name} must be one value or one per firm (got {len(arr)} for {n} firms)"
            )
        return arr


# ---------------------------------------------------------------- linear
class LinearMAC(MarginalAbatementCost):
    """Linear marginal abatement cost ``c_i * a``.

    Total cost is ``c_i * a**2 / 2``; at price ``p`` a firm abates ``p / c_i``.
    In a market of such firms with no firm abating all its emissions, the
    permit price that delivers ``R`` tonnes of abatement is
    ``R / sum(1 / c_i)``.

    Parameters
    ----------
    slope : float or array_like of float
        The slope ``c_i`` of each firm's curve (money per tonne per tonne),
        finite and > 0. A scalar describes one firm.

    References
    ----------
    Montgomery (1972), section 4; seed 000, section 2.2 (curves MC1 and MC2).

    Examples
    --------
    >>> mac = LinearMAC([2.0, 4.0])
    >>> mac.marginal_cost(10.0).tolist()
    [20.0, 40.0]
    >>> mac.total_cost([10.0, 5.0]).tolist()
    [100.0, 50.0]
    >>> mac.abatement(20.0).tolist()
    [10.0, 5.0]
    """

    def __init__(self, slope: ArrayLike) -> None:
        self.slope: FloatArray = _positive("slope", _per_firm("slope", slope))

    @property
    def n_firms(self) -> int:
        return len(self.slope)

    def _marginal_cost(self, a: FloatArray) -> FloatArray:
        return self.slope * a

    def _total_cost(self, a: FloatArray) -> FloatArray:
        with np.errstate(over="ignore"):  # a cost beyond the largest float is inf
            cost: FloatArray = 0.5 * self.slope * a * a
        return cost

    def _abatement(self, p: FloatArray) -> FloatArray:
        return p / self.slope

    def _pieces(self, limit: FloatArray) -> Pieces:
        keep = np.flatnonzero(limit > 0)
        amount = limit[keep]
        return Pieces(keep, np.zeros(len(keep)), self.slope[keep] * amount, amount)

    def __repr__(self) -> str:
        return f"LinearMAC(n_firms={self.n_firms})"


# ------------------------------------------------------------- quadratic
#: Beyond these, b**2 + 4 d x loses digits to underflow or overflows.
_TINY, _HUGE = 2.0**-960, 2.0**960

class QuadraticMAC(MarginalAbatementCost):
    """Quadratic marginal abatement cost ``e_i + b_i * a + d_i * a**2``.

    Total cost is ``e_i * a + b_i * a**2 / 2 + d_i * a**3 / 3``. At a price
    ``p`` at or below the intercept ``e_i`` the firm does not abate; above
    it, it abates ``2 x / (b_i + sqrt(b_i**2 + 4 d_i x))`` with
    ``x = p - e_i`` (the positive root, in a form that stays accurate when
    ``d_i`` is small or zero).

    Parameters
    ----------
    linear : float or array_like of float
        ``b_i``, >= 0.
    quadratic : float or array_like of float
        ``d_i``, >= 0; ``b_i + d_i`` must be > 0 for every firm.
    intercept : float or array_like of float, default 0
        ``e_i``, >= 0: the cost of the first tonne.

    References
    ----------
    Kesicki and Ekins (2012) on fitted polynomial abatement curves; Ellerman,
    A. D. and Decaux, A. (1998), *Analysis of post-Kyoto CO2 emissions
    trading using marginal abatement curves*, MIT Joint Program Report 40.

    Examples
    --------
    >>> mac = QuadraticMAC(linear=[1.0, 0.0], quadratic=[1.0, 4.0], intercept=[0.0, 2.0])
    >>> mac.marginal_cost(2.0).tolist()
    [6.0, 18.0]
    >>> mac.abatement(6.0).tolist()
    [2.0, 1.0]
    >>> mac.abatement(1.0).tolist()[1]
    0.0
    """

    def __init__(
        self,
        linear: ArrayLike,
        quadratic: ArrayLike,
        intercept: ArrayLike = 0.0,
    ) -> None:
        b = _per_firm("linear", linear)
        d = _per_firm("quadratic", quadratic)
        n = max(len(b), len(d))
        b, d = (_broadcast(name, x, n) for name, x in (("linear", b), ("quadratic", d)))
        e = _broadcast("intercept", _per_firm("intercept", intercept), n)
        flat = (b == 0) & (d == 0)
        if flat.any():
            i = int(np.argmax(flat))
            raise ValueError(
                f"linear and quadratic must not both be 0 (got 0.0 and 0.0 for firm {i})"
            )
        self.linear: FloatArray = b
        self.quadratic: FloatArray = d
        self.intercept: FloatArray = e

    @property
    def n_firms(self) -> int:
        return len(self.linear)

    def _marginal_cost(self, a: FloatArray) -> FloatArray:
        return self.intercept + a * (self.linear + self.quadratic * a)

    def _total_cost(self, a: FloatArray) -> FloatArray:
        return a * (self.intercept + a * (0.5 * self.linear + self.quadratic * a / 3.0))

    def _abatement(self, p: FloatArray) -> FloatArray:
        x = np.maximum(p - self.intercept, 0.0)
        b, d = np.broadcast_to(self.linear, x.shape), np.broadcast_to(self.quadratic, x.shape)
        with np.errstate(over="ignore"):  # an infinite disc is mended below
            disc = b * b + 4.0 * d * x
        root = b + np.sqrt(disc)
        if disc.size and not (disc.min() > _TINY and disc.max() < _HUGE):
            odd = np.flatnonzero(~((disc > _TINY) & (disc < _HUGE)) & (x > 0))
            # Near the ends of the float range, sqrt(b**2 + 4 d x) as a
            # hypotenuse, which neither underflows to 0 nor overflows.
            bo = b[odd]
            root[odd] = bo + np.hypot(bo, 2.0 * np.sqrt(d[odd]) * np.sqrt(x[odd]))
        out = np.zeros_like(x)
        np.divide(x, 0.5 * root, out=out, where=x > 0)
        return out

    def _pieces(self, limit: FloatArray) -> Pieces | None:
        if self.quadratic.any():
            return None
        keep = np.flatnonzero(limit > 0)
        amount = limit[keep]
        lo = self.intercept[keep]
        return Pieces(keep, lo, lo + self.linear[keep] * amount, amount)

    def __repr__(self) -> str:
        return f"QuadraticMAC(n_firms={self.n_firms})"


def _broadcast(name: str, arr: FloatArray, n: int) -> FloatArray:
    if len(arr) == n:
        return arr
    if len(arr) == 1:
        return _readonly(np.full(n, arr[0]))
    raise ValueError(f"{name} must have one value or one per firm (got {len(arr)} for {n} firms)")


# -------------------------------------------------------- piecewise linear
def _table(name: str, values: ArrayLike) -> FloatArray:
    """Rows of points as a float64 table, ragged rows padded with nan."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must hold numbers (got the string {values!r})")
    try:
        arr = np.asarray(values)
    except ValueError:
        arr = np.asarray([], dtype=object)
    if arr.dtype == object or (arr.size == 0 and isinstance(values, Sequence)):
        rows = [np.asarray(r) for r in values]  # type: ignore[union-attr]
        if not rows:
            raise ValueError(f"{name} must not be empty")
        width = max((r.size for r in rows), default=0)
        arr = np.full((len(rows), width), np.nan)
        for i, r in enumerate(rows):
            if r.ndim != 1 or r.dtype == np.bool_ or r.dtype.kind not in "iuf":
                raise TypeError(f"{name}[{i}] must be a sequence of real numbers (got {r!r})")
            arr[i, : r.size] = r
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be one row of points per firm (got shape {arr.shape})")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    out = np.array(arr, dtype=np.float64, copy=True)
    if np.isinf(out).any():
        i, j = (int(x) for x in np.argwhere(np.isinf(out))[0])
        bad = float(out[i, j])
        raise ValueError(f"{name} must be finite (got {bad!r} for firm {i}, point {j})")
    return out


def _along(
    a0: FloatArray, a1: FloatArray, m0: FloatArray, m1: FloatArray, a: FloatArray
) -> FloatArray:
    """The marginal cost at ``a`` on the segment from ``(a0, m0)`` to ``(a1, m1)``.

    The share of the segment is taken first, so that neither the product of
    two large differences overflows nor that of two small ones underflows.
    """
    out: FloatArray = m0 + ((a - a0) / (a1 - a0)) * (m1 - m0)
    return out


class PiecewiseLinearMAC(MarginalAbatementCost):
    """A marginal abatement cost curve through data points, straight between them.

    Firm ``i``'s curve passes through the points
    ``(abatement[i, j], marginal_cost[i, j])``. The first point must be at
    zero abatement and both coordinates must increase strictly from point to
    point (a constant marginal cost over a range is a
    :class:`TechnologyStep`). Beyond the last point the firm cannot abate
    more: its marginal cost is ``inf`` there and its abatement at any higher
    price stays at the last point.

    Parameters
    ----------
    abatement : array_like of float, shape (n_firms, n_points)
        Abatement at each point, tonnes, starting at 0. Firms with fewer
        points end their row with ``nan`` (or pass a list of rows of
        different lengths). A single row describes one firm.
    marginal_cost : array_like of float, same shape
        Marginal cost at each point, >= 0.

    Raises
    ------
    ValueError
        For marginal costs (or abatement levels) that do not increase along a
        firm's curve, a curve not starting at zero abatement, fewer than two
        points, negative or infinite values, or mismatched shapes.

    References
    ----------
    Kesicki and Ekins (2012); Ellerman and Decaux (1998), MIT Joint Program
    Report 40 (curves tabulated from a computable general equilibrium model).

    Examples
    --------
    >>> mac = PiecewiseLinearMAC(abatement=[[0, 10, 30], [0, 20]],
    ...                          marginal_cost=[[0, 5, 45], [10, 30]])
    >>> mac.abatement(25.0).tolist()
    [20.0, 15.0]
    >>> mac.marginal_cost(20.0).tolist()
    [25.0, 30.0]
    >>> mac.total_cost(20.0).tolist()
    [175.0, 400.0]
    >>> mac.max_abatement.tolist()
    [30.0, 20.0]
    """

    def __init__(self, abatement: ArrayLike, marginal_cost: ArrayLike) -> None:
        A = _table("abatement", abatement)
        M = _table("marginal_cost", marginal_cost)
        if A.shape != M.shape:
            raise ValueError(
                f"abatement and marginal_cost must have the same shape "
                f"(got {A.shape} and {M.shape})"
            )
        gap = np.isnan(A) != np.isnan(M)
        if gap.any():
            i, j = (int(x) for x in np.argwhere(gap)[0])
            raise ValueError(
                f"abatement and marginal_cost must have points in the same places "
                f"(firm {i}, point {j} is missing from one of them)"
            )
        present = ~np.isnan(A)
        count = present.sum(axis=1)
        holes = present[:, 1:] & ~present[:, :-1]
        if holes.any():
            i = int(np.argwhere(holes)[0][0])
            raise ValueError(f"abatement has a gap in the row of firm {i}: nan only at the end")
        short = count < 2
        if short.any():
            i = int(np.argmax(short))
            raise ValueError(
                f"abatement must have at least two points per firm (got {count[i]} for firm {i})"
            )
        start = A[:, 0] != 0
        if start.any():
            i = int(np.argmax(start))
            raise ValueError(
                f"abatement must start at 0 for every firm (got {float(A[i, 0])!r} for firm {i})"
            )
        for name, table in (("abatement", A), ("marginal_cost", M)):
            neg = table < 0
            if neg.any():
                i, j = (int(x) for x in np.argwhere(neg)[0])
                raise ValueError(
                    f"{name} must be >= 0 (got {float(table[i, j])!r} for firm {i}, point {j})"
                )
            step = np.diff(table, axis=1)
            bad = present[:, 1:] & ~(step > 0)
            if bad.any():
                i, j = (int(x) for x in np.argwhere(bad)[0])
                raise ValueError(
                    f"{name} must increase strictly along each firm's curve "
                    f"(firm {i}: {float(table[i, j + 1])!r} at point {j + 1} after "
                    f"{float(table[i, j])!r} at point {j})"
                )
        self.knot_abatement: FloatArray = _readonly(A)
        self.knot_cost: FloatArray = _readonly(M)
        self._count = _readonly(count.astype(np.intp))
        last = count - 1
        rows = np.arange(len(A))
        self._max = _readonly(A[rows, last])
        with np.errstate(over="ignore"):  # an area beyond the float range is inf
            areas = 0.5 * np.diff(A, axis=1) * (M[:, 1:] + M[:, :-1])
        cumulative = np.zeros_like(A)
        cumulative[:, 1:] = np.cumsum(np.nan_to_num(areas), axis=1)
        self._area = _readonly(cumulative)

    @property
    def n_firms(self) -> int:
        return len(self.knot_abatement)

    @property
    def max_abatement(self) -> FloatArray:
        return self._max.copy()

    def _segment(self, table: FloatArray, x: FloatArray) -> NDArray[np.intp]:
        """Index of the right end of the segment holding ``x`` (1 .. count-1)."""
        at_or_below = np.sum(table <= x[:, None], axis=1)
        out: NDArray[np.intp] = np.clip(at_or_below, 1, self._count - 1)[:, None]
        return out

    def _ends(self, j: NDArray[np.intp]) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        A, M = self.knot_abatement, self.knot_cost
        a0 = np.take_along_axis(A, j - 1, axis=1)[:, 0]
        a1 = np.take_along_axis(A, j, axis=1)[:, 0]
        m0 = np.take_along_axis(M, j - 1, axis=1)[:, 0]
        m1 = np.take_along_axis(M, j, axis=1)[:, 0]
        return a0, a1, m0, m1

    def _marginal_cost(self, a: FloatArray) -> FloatArray:
        j = self._segment(self.knot_abatement, a)
        out = _along(*self._ends(j), a)
        return np.where(a > self._max, math.inf, out)

    def _total_cost(self, a: FloatArray) -> FloatArray:
        j = self._segment(self.knot_abatement, a)
        a0, a1, m0, m1 = self._ends(j)
        mc = _along(a0, a1, m0, m1, a)
        base = np.take_along_axis(self._area, j - 1, axis=1)[:, 0]
        with np.errstate(over="ignore"):  # a cost beyond the float range is inf
            out = base + 0.5 * (a - a0) * (m0 + mc)
        return np.where(a > self._max, math.inf, out)

    def _abatement(self, p: FloatArray) -> FloatArray:
        j = self._segment(self.knot_cost, p)
        a0, a1, m0, m1 = self._ends(j)
        frac = np.clip((p - m0) / (m1 - m0), 0.0, 1.0)
        return a0 + frac * (a1 - a0)

    def _pieces(self, limit: FloatArray) -> Pieces:
        A, M = self.knot_abatement, self.knot_cost
        a0, a1, m0, m1 = A[:, :-1], A[:, 1:], M[:, :-1], M[:, 1:]
        with np.errstate(invalid="ignore"):
            top = np.minimum(a1, limit[:, None])
            keep = ~np.isnan(a1) & (top > a0)
        firm = np.nonzero(keep)[0].astype(np.intp)
        a0k, a1k, m0k, m1k, topk = a0[keep], a1[keep], m0[keep], m1[keep], top[keep]
        hi = _along(a0k, a1k, m0k, m1k, topk)
        hi = np.where(topk == a1k, m1k, hi)
        return Pieces(firm, m0k, hi, topk - a0k)

    def __repr__(self) -> str:
        return f"PiecewiseLinearMAC(n_firms={self.n_firms}, points={self.knot_abatement.shape[1]})"


# --------------------------------------------------------- technology step
class TechnologyStep(MarginalAbatementCost):
    """A fixed technology: up to ``capacity`` tonnes at a constant ``cost`` per tonne.

    The marginal cost is ``cost`` from the first tonne to ``capacity`` and
    ``inf`` beyond; total cost is ``cost * a``. At a price below ``cost`` the
    firm abates nothing, above it the whole capacity; at exactly ``cost`` it
    is indifferent (:meth:`abatement` reports the capacity), and a market
    clearing at that price fills every tied firm's step in the same
    proportion. The technology is divisible: a firm may run it for part of
    its capacity.

    Parameters
    ----------
    cost : float or array_like of float
        Cost per tonne abated, >= 0.
    capacity : float or array_like of float
        Tonnes the technology can abate, >= 0.

    References
    ----------
    McKinsey & Company (2009). *Pathways to a Low-Carbon Economy: Version 2 of
    the Global Greenhouse Gas Abatement Cost Curve* (technologies as steps);
    Kesicki and Ekins (2012) on reading such curves.

    Examples
    --------
    >>> mac = TechnologyStep(cost=[30.0, 50.0], capacity=[100.0, 40.0])
    >>> mac.abatement(40.0).tolist()
    [100.0, 0.0]
    >>> mac.total_cost([50.0, 40.0]).tolist()
    [1500.0, 2000.0]
    >>> mac.marginal_cost(60.0).tolist()
    [30.0, inf]
    """

    def __init__(self, cost: ArrayLike, capacity: ArrayLike) -> None:
        c = _per_firm("cost", cost)
        q = _per_firm("capacity", capacity)
        n = max(len(c), len(q))
        self.cost: FloatArray = _broadcast("cost", c, n)
        self.capacity: FloatArray = _broadcast("capacity", q, n)

    @property
    def n_firms(self) -> int:
        return len(self.cost)

    @property
    def max_abatement(self) -> FloatArray:
        return self.capacity.copy()

    def _marginal_cost(self, a: FloatArray) -> FloatArray:
        return np.where(a > self.capacity, math.inf, self.cost)

    def _total_cost(self, a: FloatArray) -> FloatArray:
        return np.where(a > self.capacity, math.inf, self.cost * a)

    def _abatement(self, p: FloatArray) -> FloatArray:
        return np.where(p >= self.cost, self.capacity, 0.0)

    def _abatement_below(self, p: FloatArray) -> FloatArray:
        return np.where(p > self.cost, self.capacity, 0.0)

    def _jumps(self) -> tuple[NDArray[np.intp], FloatArray]:
        firm = np.flatnonzero(self.capacity > 0).astype(np.intp)
        return firm, self.cost[firm]

    def _pieces(self, limit: FloatArray) -> Pieces:
        amount = np.minimum(self.capacity, limit)
        keep = np.flatnonzero(amount > 0).astype(np.intp)
        return Pieces(keep, self.cost[keep], self.cost[keep], amount[keep])

    def __repr__(self) -> str:
        return f"TechnologyStep(n_firms={self.n_firms})"


# ------------------------------------------------------------------ stack
class StackedMAC(MarginalAbatementCost):
    """Several curves side by side: the firms of ``parts[0]``, then of ``parts[1]``, ...

    Built by :func:`stack`. Each method splits its per-firm argument among
    the parts and joins their answers.
    """

    def __init__(self, parts: Sequence[MarginalAbatementCost]) -> None:
        flat: list[MarginalAbatementCost] = []
        for i, part in enumerate(parts):
            if not isinstance(part, MarginalAbatementCost):
                raise TypeError(
                    f"parts[{i}] must be a marginal abatement cost curve (got {part!r})"
                )
            flat.extend(part.parts if isinstance(part, StackedMAC) else [part])
        if not flat:
            raise ValueError("parts must not be empty")
        self.parts: tuple[MarginalAbatementCost, ...] = tuple(flat)
        self._bounds = np.cumsum([0] + [p.n_firms for p in flat])

    @property
    def n_firms(self) -> int:
        return int(self._bounds[-1])

    @property
    def max_abatement(self) -> FloatArray:
        return np.concatenate([p.max_abatement for p in self.parts])

    def _each(self, method: str, x: FloatArray) -> FloatArray:
        b = self._bounds
        return np.concatenate(
            [getattr(p, method)(x[b[k] : b[k + 1]]) for k, p in enumerate(self.parts)]
        )

    def _marginal_cost(self, a: FloatArray) -> FloatArray:
        return self._each("_marginal_cost", a)

    def _total_cost(self, a: FloatArray) -> FloatArray:
        return self._each("_total_cost", a)

    def _abatement(self, p: FloatArray) -> FloatArray:
        return self._each("_abatement", p)

    def _abatement_below(self, p: FloatArray) -> FloatArray:
        return self._each("_abatement_below", p)

    def _jumps(self) -> tuple[NDArray[np.intp], FloatArray]:
        firms, prices = [], []
        for k, part in enumerate(self.parts):
            f, c = part._jumps()
            firms.append(f + self._bounds[k])
            prices.append(c)
        return np.concatenate(firms).astype(np.intp), np.concatenate(prices)

    def _pieces(self, limit: FloatArray) -> Pieces | None:
        found = []
        b = self._bounds
        for k, part in enumerate(self.parts):
            pieces = part._pieces(limit[b[k] : b[k + 1]])
            if pieces is None:
                return None
            found.append(pieces._replace(firm=pieces.firm + b[k]))
        return Pieces(*(np.concatenate(field) for field in zip(*found, strict=True)))

    def __repr__(self) -> str:
        return f"StackedMAC({', '.join(map(repr, self.parts))})"


def stack(*curves: MarginalAbatementCost) -> StackedMAC:
    """Curves of different kinds side by side, firms in the order given.

    Examples
    --------
    >>> mac = stack(LinearMAC([2.0]), TechnologyStep(cost=10.0, capacity=3.0))
    >>> len(mac), mac.abatement(12.0).tolist()
    (2, [6.0, 3.0])
    """
    return StackedMAC(curves)
