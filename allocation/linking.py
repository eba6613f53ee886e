"""Linked permit markets: regions that accept each other's permits.

Each :class:`Region` has its own firms (BAU emissions, abatement cost
curves) and its own permits, whose total is the region's cap. A
:class:`Link` lets permits of one region be surrendered in another: one
source permit counts as ``rate`` target permits, and at most ``quota``
source permits may cross (a limit on cross-border flows). Two-way trade is
two links (:func:`two_way`).

:func:`linked_equilibrium` finds the flows at which no further trade across
a link pays: where a link carries permits below its quota, the source
price equals ``rate`` times the target price; where the quota binds, the
source price is lower and the difference is a rent to whoever holds the
right to move permits; where nothing flows, the source price is at least
``rate`` times the target price. These are the conditions for the least
total abatement cost of all regions together (complementary slackness), so
linking never costs more than separate markets; the result reports the gain.
The reported prices are dual prices (the multipliers of the regions' permit
balances) that meet all three conditions on every link. A region at a kink
of its cost (abating all it can, holding just the permits it needs, or on
the edge of a technology step) is content with any price in a range; of the
prices in those ranges that meet the conditions, the least are reported.
A region that rounding in the flows leaves a hair onto a technology step
counts as at its edge. Where no such prices exist (flows that are not
least-cost), :func:`linked_equilibrium` raises rather than report prices
that break a condition.

The solver sends permits along one path of links at a time (a chain of
links, each used forward or undoing its flow), as far as lowers the total
cost: the amount is found by a bracketed root search on the price
difference between the two ends, each region's price by
:class:`allocation.market.Supply`. Only the two end regions' supplies move,
so a region at a kink of its cost (abating all it can, or nothing) does not
block permits passing through it. It sweeps over all simple paths until
nothing moves; for separable convex costs on a network no improving path
left means the least-cost flows (Rockafellar 1984). With one link a single
move is exact. Flows are real-valued
(tonnes in the continuous model); quotas are whole permits.

Exchange rates around a closed loop of links must not multiply to more
than 1: otherwise sending permits round the loop creates permits from
nothing, and :func:`linked_equilibrium` refuses.

References
----------
Seed 003 of this project: the Sichuan-Chongqing cross-regional carbon
market (section 4, joint platform of the two exchanges, unified standard).
Flachsland, C., Marschinski, R. and Edenhofer, O. (2009). To link or not to
link: benefits and disadvantages of linking cap-and-trade systems. *Climate
Policy* 9(4), 358-372.
Jaffe, J., Ranson, M. and Stavins, R. N. (2009). Linking tradable permit
systems: a key element of emerging international climate policy
architecture. *Ecology Law Quarterly* 36, 789-808.
Rockafellar, R. T. (1984). *Network Flows and Monotropic Optimization*.
Wiley, chapters 8-9 (optimality by elementary paths; coordinate descent).
Lazarus, M., Schneider, L., Lee, C. and van Asselt, H. (2015). *Options and
issues for restricted linking of emissions trading systems*. ICAP
(exchange rates and quantitative limits on linked flows).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from allocation.abatement import MarginalAbatementCost
from allocation.market import (
    MARKET_METHODS,
    InfeasibleError,
    MarketResult,
    Supply,
    build_result,
    check_firms,
    equilibrium,
    split_surplus,
)
from allocation.rounding import exact_sum
from auctions._validate import check_choice, check_nonnegative_int

__all__ = ["Link", "LinkedResult", "Region", "linked_equilibrium", "two_way"]

FloatArray = NDArray[np.float64]


class Region:
    """One market of a linked system: its firms, their curves and their permits.

    Parameters
    ----------
    name : str
        A unique, non-empty name.
    bau : array_like of float
        Business-as-usual emissions of each firm, tonnes >= 0.
    permits : array_like of int
        Permits each firm holds; their sum is the region's cap.
    mac : MarginalAbatementCost or sequence of them
        The firms' abatement cost curves.

    Examples
    --------
    >>> from allocation.abatement import LinearMAC
    >>> Region("chongqing", bau=[100.0, 80.0], permits=[70, 60], mac=LinearMAC([1.0, 2.0]))
    Region('chongqing', n_firms=2, cap=130)
    """

    __slots__ = ("_bau", "_mac", "_name", "_permits")
    _name: str
    _bau: FloatArray
    _permits: NDArray[np.int64]
    _mac: MarginalAbatementCost

    def __init__(
        self,
        name: str,
        *,
        bau: ArrayLike,
        permits: ArrayLike,
        mac: MarginalAbatementCost | Sequence[MarginalAbatementCost],
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string (got {name!r})")
        b, q, curve = check_firms(bau, permits, mac)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_bau", b)
        object.__setattr__(self, "_permits", q)
        object.__setattr__(self, "_mac", curve)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Region is read-only (cannot set {name!r})")

    @property
    def name(self) -> str:
        """The region's name."""
        return self._name

    @property
    def bau(self) -> FloatArray:
        """Business-as-usual emissions (read-only)."""
        return self._bau

    @property
    def permits(self) -> NDArray[np.int64]:
        """Permits held by each firm (read-only)."""
        return self._permits

    @property
    def mac(self) -> MarginalAbatementCost:
        """The firms' abatement cost curves."""
        return self._mac

    @property
    def cap(self) -> int:
        """The region's cap: the permits its firms hold (summed exactly, past 2**63)."""
        return int(self.permits.sum(dtype=object))

    def __repr__(self) -> str:
        return f"Region({self.name!r}, n_firms={len(self.bau)}, cap={self.cap})"


@dataclass(frozen=True)
class Link:
    """Permits of ``source`` may be surrendered in ``target``.

    Attributes
    ----------
    source, target : str
        Region names.
    rate : float, default 1.0
        Target permits one source permit counts for, > 0.
    quota : int or None, default None
        The most source permits that may cross; ``None`` for no limit.

    Examples
    --------
    >>> Link("sichuan", "chongqing", quota=5000)
    Link(source='sichuan', target='chongqing', rate=1.0, quota=5000)
    """

    source: str
    target: str
    rate: float = 1.0
    quota: int | None = None

    def __post_init__(self) -> None:
        for field in ("source", "target"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value:
                raise TypeError(f"{field} must be a region name (got {value!r})")
        if self.source == self.target:
            raise ValueError(f"a link must join two regions (got {self.source!r} twice)")
        rate: object = self.rate
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"rate must be a real number (got {rate!r})")
        if not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"rate must be finite and > 0 (got {rate!r})")
        object.__setattr__(self, "rate", float(rate))
        if self.quota is not None:
            object.__setattr__(self, "quota", check_nonnegative_int("quota", self.quota))


def two_way(a: str, b: str, *, rate: float = 1.0, quota: int | None = None) -> tuple[Link, Link]:
    """Links both ways: one ``a`` permit is ``rate`` ``b`` permits and back at ``1 / rate``.

    ``quota`` limits each direction, in the permits of the sending region.

    Examples
    --------
    >>> two_way("sichuan", "chongqing", rate=2.0)
    (Link(source='sichuan', target='chongqing', rate=2.0, quota=None), Link(source='chongqing', target='sichuan', rate=0.5, quota=None))
    """  # noqa: E501
    return Link(a, b, rate, quota), Link(b, a, 1.0 / rate, quota)


@dataclass(frozen=True, kw_only=True, eq=False)
class LinkedResult:
    """The equilibrium of linked markets.

    Attributes
    ----------
    regions : tuple of str
        Region names, in the order given.
    links : tuple of Link
        The links, in the order given.
    flow : ndarray of float64
        Source permits moved along each link.
    price : dict of str to float
        The permit price in each region, in its own money per its own permit.
    markets : dict of str to MarketResult
        Each region's firms in the linked equilibrium; ``imported`` is the
        region's net intake through the links (negative for exports), and
        its firms' ``net_trade`` sums to it.
    separate : dict of str to MarketResult or None
        Each region on its own (``None`` when it could not meet its cap on
        its own).
    """

    regions: tuple[str, ...]
    links: tuple[Link, ...]
    flow: FloatArray
    price: dict[str, float]
    markets: dict[str, MarketResult]
    separate: dict[str, MarketResult | None]

    def __post_init__(self) -> None:
        flow = np.array(self.flow, dtype=np.float64, copy=True)
        flow.flags.writeable = False
        object.__setattr__(self, "flow", flow)

    @property
    def net_import(self) -> dict[str, float]:
        """Permits each region receives through links minus those it sends."""
        return {name: self.markets[name].imported for name in self.regions}

    @property
    def total_abatement_cost(self) -> float:
        """Abatement cost of all regions together, linked."""
        return math.fsum(m.total_abatement_cost for m in self.markets.values())

    @property
    def gain(self) -> float:
        """Fall in total abatement cost from linking.

        ``inf`` when some region cannot meet its cap on its own.
        """
        if any(s is None for s in self.separate.values()):
            return math.inf
        alone = math.fsum(s.total_abatement_cost for s in self.separate.values() if s)
        return alone - self.total_abatement_cost

    @property
    def gain_by_region(self) -> dict[str, float]:
        """Fall in each region's firms' total compliance cost (trade payments included)."""
        out = {}
        for name in self.regions:
            alone = self.separate[name]
            linked = exact_sum(self.markets[name].cost)
            out[name] = math.inf if alone is None else exact_sum(alone.cost) - linked
        return out

    @property
    def quota_rent(self) -> FloatArray:
        """Per link, ``flow * (rate * target price - source price)``: a binding quota's value."""
        return np.array(
            [
                f * (link.rate * self.price[link.target] - self.price[link.source])
                for f, link in zip(self.flow.tolist(), self.links, strict=True)
            ]
        )

    def __repr__(self) -> str:
        prices = ", ".join(f"{k}={v!r}" for k, v in self.price.items())
        return f"LinkedResult(price={{{prices}}}, flow={self.flow.tolist()!r}, gain={self.gain!r})"


# ======================================================================
def _check_regions(regions: Sequence[Region]) -> tuple[Region, ...]:
    if isinstance(regions, Region) or not isinstance(regions, Sequence):
        raise TypeError(f"regions must be a sequence of Region (got {regions!r})")
    out = tuple(regions)
    if not out:
        raise ValueError("regions must not be empty")
    seen: set[str] = set()
    for i, r in enumerate(out):
        if not isinstance(r, Region):
            raise TypeError(f"regions[{i}] must be a Region (got {r!r})")
        if r.name in seen:
            raise ValueError(f"regions must have distinct names (got {r.name!r} twice)")
        seen.add(r.name)
    return out


def _check_links(links: Sequence[Link], names: tuple[str, ...]) -> tuple[Link, ...]:
    if isinstance(links, Link) or not isinstance(links, Sequence):
        raise TypeError(f"links must be a sequence of Link (got {links!r})")
    out = tuple(links)
    known = ", ".join(map(repr, names))
    pairs: set[tuple[str, str]] = set()
    for i, link in enumerate(out):
        if not isinstance(link, Link):
            raise TypeError(f"links[{i}] must be a Link (got {link!r})")
        for field in ("source", "target"):
            name = getattr(link, field)
            if name not in names:
                raise ValueError(
                    f"links[{i}].{field} is an unknown region {name!r} (regions: {known})"
                )
        key = (link.source, link.target)
        if key in pairs:
            raise ValueError(
                f"links[{i}] repeats the link {link.source!r} -> {link.target!r}; "
                "merge them into one"
            )
        pairs.add(key)
    _check_cycles(out, names)
    return out


def _check_cycles(links: tuple[Link, ...], names: tuple[str, ...]) -> None:
    """Refuse loops of links whose exchange rates multiply to more than 1."""
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    best = np.zeros((n, n))
    via: list[list[list[str]]] = [[[] for _ in range(n)] for _ in range(n)]
    for link in links:
        i, j = index[link.source], index[link.target]
        best[i, j] = link.rate
        via[i][j] = [link.source, link.target]
    for k in range(n):
        for i in range(n):
            for j in range(n):
                candidate = best[i, k] * best[k, j]
                if candidate > best[i, j] * (1 + 1e-12):
                    best[i, j] = candidate
                    via[i][j] = via[i][k] + via[k][j][1:]
                if i == j and best[i, i] > 1 + 1e-12:
                    loop = " -> ".join(via[i][i])
                    raise ValueError(
                        f"links form a loop {loop} whose exchange rates multiply to "
                        f"{float(best[i, i])!r} > 1: trading round it creates permits"
                    )


def _first_nonnegative(h: Callable[[float], float], hi: float) -> float:
    """The smallest ``s`` in (0, hi] with ``h(s) >= 0``, for ``h`` nondecreasing, ``h(0) < 0``."""
    h_hi = h(hi)
    if math.isnan(h_hi):
        raise InfeasibleError("the linked regions cannot meet their caps together")
    if h_hi < 0:
        return hi
    lo, h_lo = 0.0, h(0.0)
    for _ in range(2000):
        if math.isfinite(h_lo) and math.isfinite(h_hi):
            break
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return hi
        h_mid = h(mid)
        if math.isnan(h_mid):
            raise InfeasibleError("the linked regions cannot meet their caps together")
        if h_mid < 0:
            lo, h_lo = mid, h_mid
        else:
            hi, h_hi = mid, h_mid
    if h_hi == 0:
        return hi
    return float(brentq(h, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500))


Arc = tuple[int, int]  # (link index, +1 along the link, -1 undoing its flow)


def _paths(n: int, links: tuple[Link, ...], index: dict[str, int]) -> list[tuple[Arc, ...]]:
    """Every simple path of arcs between two regions (each link usable both ways)."""
    adjacency: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for k, link in enumerate(links):
        u, v = index[link.source], index[link.target]
        adjacency[u].append((v, k, +1))
        adjacency[v].append((u, k, -1))
    found: list[tuple[Arc, ...]] = []

    def walk(node: int, seen: frozenset[int], path: tuple[Arc, ...]) -> None:
        for nxt, k, sign in adjacency[node]:
            if nxt in seen:
                continue
            longer = (*path, (k, sign))
            found.append(longer)
            walk(nxt, seen | {nxt}, longer)

    for start in range(n):
        walk(start, frozenset({start}), ())
    return found


def linked_equilibrium(
    regions: Sequence[Region],
    links: Sequence[Link] = (),
    *,
    method: Literal["auto", "exact", "bracket"] = "auto",
    max_sweeps: int = 1000,
) -> LinkedResult:
    """The equilibrium of regional permit markets joined by links.

    Parameters
    ----------
    regions : sequence of Region
        The markets, with distinct names.
    links : sequence of Link, default ()
        Which permits count where, at what rate and within what quota.
    method : {"auto", "exact", "bracket"}, default "auto"
        How each region's price is found (see
        :func:`allocation.market.equilibrium`).
    max_sweeps : int, default 1000
        Sweeps over all paths of links before giving up.

    Returns
    -------
    LinkedResult

    Raises
    ------
    ValueError, TypeError
        For a link naming an unknown region, two regions with the same name,
        a repeated link, a loop of links creating permits, or regions that
        cannot meet their caps even together.
    RuntimeError
        When the flows do not settle within ``max_sweeps`` sweeps, or no
        prices in the regions' ranges meet the links' conditions.

    References
    ----------
    Seed 003 (Sichuan-Chongqing); Flachsland, Marschinski and Edenhofer
    (2009); Lazarus et al. (2015) on exchange rates and quotas.

    Examples
    --------
    Chongqing's firms face steep costs, Sichuan's cheap ones. Linked without
    limits, one price clears both: ``(R_c + R_s) / sum(1 / c) =
    (60 + 60) / (1/2 + 1/2 + 1 + 1) = 40``; Chongqing imports 20 permits.

    >>> from allocation.abatement import LinearMAC
    >>> cq = Region("chongqing", bau=[100, 100], permits=[70, 70], mac=LinearMAC([2.0, 2.0]))
    >>> sc = Region("sichuan", bau=[100, 100], permits=[70, 70], mac=LinearMAC([1.0, 1.0]))
    >>> r = linked_equilibrium([cq, sc], two_way("sichuan", "chongqing"))
    >>> r.price, r.net_import["chongqing"]
    ({'chongqing': 40.0, 'sichuan': 40.0}, 20.0)
    >>> r.separate["chongqing"].price, r.separate["sichuan"].price, r.gain
    (60.0, 30.0, 300.0)

    A quota of 10 permits keeps the prices apart:

    >>> q = linked_equilibrium([cq, sc], [Link("sichuan", "chongqing", quota=10)])
    >>> q.price, q.flow.tolist(), q.quota_rent.tolist()
    ({'chongqing': 50.0, 'sichuan': 35.0}, [10.0], [150.0])
    """
    regs = _check_regions(regions)
    names = tuple(r.name for r in regs)
    lks = _check_links(links, names)
    how = check_choice("method", method, MARKET_METHODS)
    sweeps = check_nonnegative_int("max_sweeps", max_sweeps, minimum=1)

    supplies = [
        Supply(r.mac, np.maximum(np.minimum(r.bau, r.mac.max_abatement), 0.0), how) for r in regs
    ]
    total_bau = [float(r.bau.sum()) for r in regs]
    base = [float(r.cap) for r in regs]

    def price(i: int, supply: float) -> float:
        return supplies[i].price(total_bau[i] - supply)[0]

    index = {name: i for i, name in enumerate(names)}
    ends = [(index[link.source], index[link.target]) for link in lks]
    rates = [link.rate for link in lks]
    quotas = [math.inf if link.quota is None else float(link.quota) for link in lks]
    lowest = [
        total_bau[i] - supplies[i].capacity for i in range(len(regs))
    ]  # below this supply a region cannot comply
    paths = _paths(len(regs), lks, index)
    flow = np.zeros(len(lks))
    held = list(base)
    scale = 1.0 + sum(abs(x) for x in base)
    for _ in range(sweeps):
        moved = 0.0
        for path in paths:
            moved = max(moved, _move(path, flow, held, ends, rates, quotas, lowest, price))
        if moved <= 1e-12 * scale:
            break
    else:
        raise RuntimeError(
            f"linked_equilibrium did not settle within max_sweeps={sweeps} sweeps "
            f"(last change {moved!r} permits)"
        )

    _cancel_round_trips(flow, ends, rates)
    required = [total_bau[i] - held[i] for i in range(len(regs))]
    tol = 1e-12 * scale
    ranges = _price_ranges(supplies, required, total_bau, tol)
    tied = _tied_prices(ranges, flow, ends, rates, quotas, tol)
    markets: dict[str, MarketResult] = {}
    prices: dict[str, float] = {}
    for i, region in enumerate(regs):
        markets[region.name] = _region_outcome(region, supplies[i], held[i] - base[i], tied[i])
        prices[region.name] = markets[region.name].price
    separate: dict[str, MarketResult | None] = {}
    for region in regs:
        try:
            separate[region.name] = equilibrium(
                region.bau, region.permits, region.mac, method=method
            )
        except InfeasibleError:
            separate[region.name] = None
    return LinkedResult(
        regions=names, links=lks, flow=flow, price=prices, markets=markets, separate=separate
    )


def _move(
    path: tuple[Arc, ...],
    flow: FloatArray,
    held: list[float],
    ends: list[tuple[int, int]],
    rates: list[float],
    quotas: list[float],
    lowest: list[float],
    price: Callable[[int, float], float],
) -> float:
    """Send permits along ``path`` while it lowers total cost; returns the amount sent.

    Only the two end regions' supplies change: ``t`` permits leave the first
    and ``gain * t`` reach the last. ``flow`` and ``held`` are updated in place.
    """
    k0, sign0 = path[0]
    start = ends[k0][0] if sign0 > 0 else ends[k0][1]
    k1, sign1 = path[-1]
    end = ends[k1][1] if sign1 > 0 else ends[k1][0]
    gain, t_max = 1.0, held[start] - lowest[start]
    for k, sign in path:
        if sign > 0:
            room = (quotas[k] - flow[k]) / gain
            gain *= rates[k]
        else:
            room = rates[k] * flow[k] / gain
            gain /= rates[k]
        t_max = min(t_max, room)
    if not t_max > 0:
        return 0.0
    s_start, s_end = held[start], held[end]

    def slope(t: float) -> float:
        return price(start, s_start - t) - gain * price(end, s_end + gain * t)

    first = slope(0.0)
    if math.isnan(first) or first >= 0:
        return 0.0
    t = _first_nonnegative(slope, t_max)
    if t <= 0:
        return 0.0
    amount, hit = t, t == t_max
    for k, sign in path:
        if sign > 0:
            flow[k] = quotas[k] if hit and flow[k] + amount >= quotas[k] else flow[k] + amount
            amount *= rates[k]
        else:
            left = flow[k] - amount / rates[k]
            flow[k] = 0.0 if left <= 1e-12 * flow[k] else left
            amount /= rates[k]
    held[start] = s_start - t
    held[end] = s_end + gain * t
    return t


def _cancel_round_trips(flow: FloatArray, ends: list[tuple[int, int]], rates: list[float]) -> None:
    """Net out flows both ways between two regions whose rates multiply to 1.

    Such opposite flows change nothing (what goes one way comes back); the
    smaller is cancelled so that the reported flows are the net ones.
    """
    where = {pair: k for k, pair in enumerate(ends)}
    for k, (u, v) in enumerate(ends):
        back = where.get((v, u))
        if back is None or back < k or abs(rates[k] * rates[back] - 1.0) > 1e-12:
            continue
        common = min(flow[k], flow[back] / rates[k])
        if common > 0:
            flow[k] = flow[k] - common
            flow[back] = max(flow[back] - common * rates[k], 0.0)


_PRICE_RTOL = 1e-9  # relative slack on prices, for the ranges and the rounds

Bound = tuple[int, int, float]  # (x, y, factor): the price of x is at least factor * that of y


def _slackness_bounds(
    flow: FloatArray,
    ends: list[tuple[int, int]],
    rates: list[float],
    quotas: list[float],
    tol: float,
    *,
    interior_only: bool = False,
) -> list[Bound]:
    """The complementary-slackness conditions of the links, as lower bounds on prices.

    A link ``u -> v`` at ``rate`` whose flow is strictly inside ``[0, quota]``
    ties ``p_u = rate * p_v``; a full link needs ``p_v >= p_u / rate`` (the
    gap is the quota rent); an idle link needs ``p_u >= rate * p_v``. A link
    with quota 0 is both full and idle and imposes nothing. With
    ``interior_only``, only the ties of links strictly inside their bounds.

    Parameters
    ----------
    flow : ndarray of float64
        Source permits moved along each link.
    ends : list of (int, int)
        Source and target region of each link.
    rates, quotas : list of float
        Each link's exchange rate and quota (``inf`` for none).
    tol : float
        Flows within ``tol`` permits of 0 or of the quota count as at it.
    interior_only : bool, default False
        Leave out the conditions of full and idle links.

    Returns
    -------
    list of (int, int, float)
        Triples ``(x, y, factor)``, each meaning ``p_x >= factor * p_y``.
    """
    bounds: list[Bound] = []
    for k, (u, v) in enumerate(ends):
        if quotas[k] == 0:
            continue
        full, idle = flow[k] >= quotas[k] - tol, flow[k] <= tol
        if interior_only and (full or idle):
            continue
        if not idle:
            bounds.append((v, u, 1.0 / rates[k]))
        if not full:
            bounds.append((u, v, rates[k]))
    return bounds


def _raise_prices(prices: list[float], bounds: list[Bound]) -> bool:
    """Raise each price in place to its lower bounds, one pass in order.

    Parameters
    ----------
    prices : list of float
        Regional prices, updated in place.
    bounds : list of (int, int, float)
        As from :func:`_slackness_bounds`.

    Returns
    -------
    bool
        Whether some price rose by more than ``_PRICE_RTOL`` (relative).
    """
    raised = False
    for x, y, factor in bounds:
        need = factor * prices[y]
        if prices[x] < need:
            raised = raised or prices[x] < need * (1 - _PRICE_RTOL)
            prices[x] = need
    return raised


def _dual_prices(
    low: list[float], high: list[float], bounds: list[Bound],
) -> list[float] | None:
    """The least dual prices of the regions' permit balances, or ``None``.

    Each region's price lies in its range ``[low, high]`` (a region at a kink
    of its costs is content with any price there) and meets every bound
    (complementary slackness, :func:`_slackness_bounds`). For least-cost
    flows such prices exist, being the Lagrange multipliers of the balances
    (Rockafellar 1984); the componentwise least of them is found by
    raising prices from ``low`` to their bounds, Bellman-Ford style: every
    bound reads ``p_x >= factor * p_y`` and is monotone, so the rounds climb
    to the least solution and settle within ``n`` rounds when one exists.

    Parameters
    ----------
    low, high : list of float
        Each region's range of prices at its required abatement (``high``
        is ``inf`` for a region abating all it can).
    bounds : list of (int, int, float)
        As from :func:`_slackness_bounds`.

    Returns
    -------
    list of float or None
        The prices, one per region; ``None`` when they do not settle within
        ``n + 1`` rounds or leave a range by more than ``_PRICE_RTOL``
        (flows least-cost only to rounding). Prices above ``high`` within
        that slack are clamped to it.
    """
    if not all(math.isfinite(p) for p in low):
        return None
    prices = list(low)
    for _ in range(len(low) + 1):
        if not _raise_prices(prices, bounds):
            break
    else:
        return None
    if any(p * (1 - _PRICE_RTOL) > h for p, h in zip(prices, high, strict=True)):
        return None
    return [min(p, h) for p, h in zip(prices, high, strict=True)]


def _price_ranges(
    supplies: list[Supply], required: list[float], total_bau: list[float], tol: float
) -> tuple[list[float], list[float]]:
    """Each region's range of prices at its required abatement.

    Parameters
    ----------
    supplies : list of Supply
        Each region's firms.
    required : list of float
        Tonnes each region must abate.
    total_bau : list of float
        Each region's BAU emissions, for the width of ``high``.
    tol : float
        Tonnes of rounding in ``required``.

    Returns
    -------
    low, high : list of float
        The bottom and top of each region's range: the price at ``required``
        (at a step's lower edge when within ``tol`` of it,
        :func:`_step_edge_price`) and the price a little above it (``inf``
        for a region abating all it can).
    """
    low, high = [], []
    for supply, r, bau in zip(supplies, required, total_bau, strict=True):
        p, on_step = supply.price(r)
        low.append(_step_edge_price(supply, r, p, tol) if on_step else p)
        high.append(supply.price(r + 1e-9 * (1.0 + bau))[0])
    return low, high


def _step_edge_price(supply: Supply, required: float, price: float, tol: float) -> float:
    """The price below a step when ``required`` is within ``tol`` tonnes onto it.

    At a step's lower edge a region is content with any price from the one
    below the step to the step's cost; rounding in the flows can leave it a
    hair onto the step, where its own price reads as the step's cost alone.
    Snapping ``required`` back to the edge gives the bottom of the range.

    Parameters
    ----------
    supply : Supply
        The region's firms.
    required : float
        Tonnes the region must abate.
    price : float
        ``supply.price(required)``, a step's cost.
    tol : float
        Tonnes of rounding in ``required``.

    Returns
    -------
    float
        The price at the edge, or ``price`` when ``required`` is further onto the step.
    """
    edge = float(supply.lower(price).sum())
    return supply.price(edge)[0] if required - edge <= tol else price


_SLACK_RTOL = 1e-6  # largest relative breach of a link's condition the final prices may have


def _tied_prices(
    ranges: tuple[list[float], list[float]],
    flow: FloatArray,
    ends: list[tuple[int, int]],
    rates: list[float],
    quotas: list[float],
    tol: float,
) -> list[float]:
    """Dual prices of the regions that meet the links' slackness conditions.

    The least prices in the regions' ranges that meet all the links'
    conditions (:func:`_dual_prices`); failing those, for flows least-cost
    only to rounding, the least that tie the links strictly inside their
    bounds, if they meet the rest to ``_SLACK_RTOL`` (relative).

    Parameters
    ----------
    ranges : tuple of two lists of float
        ``(low, high)`` as from :func:`_price_ranges`.
    flow, ends, rates, quotas, tol
        As for :func:`_slackness_bounds`.

    Returns
    -------
    list of float
        One price per region; ``low`` itself when some price in it is
        ``inf`` (a region that cannot comply).

    Raises
    ------
    RuntimeError
        When no prices in the ranges meet the conditions.
    """
    low, high = ranges
    if not all(math.isfinite(p) for p in low):
        return list(low)  # some region cannot comply: _region_outcome says which
    full = _slackness_bounds(flow, ends, rates, quotas, tol)
    tied = _dual_prices(low, high, full)
    if tied is None:
        interior = _slackness_bounds(flow, ends, rates, quotas, tol, interior_only=True)
        tied = _dual_prices(low, high, interior)
    if tied is None or _breach(tied, full) > _SLACK_RTOL:
        raise RuntimeError(
            "linked_equilibrium found no prices meeting the links' conditions "
            f"(flows {flow.tolist()!r}, price ranges from {low!r} to {high!r})"
        )
    return tied


def _breach(prices: list[float], bounds: list[Bound]) -> float:
    """The largest relative shortfall of a price below one of its bounds (0 if none)."""
    worst = 0.0
    for x, y, factor in bounds:
        need = factor * prices[y]
        if prices[x] < need:
            worst = max(worst, (need - prices[x]) / need)
    return worst


def _region_outcome(region: Region, supply: Supply, imported: float, price: float) -> MarketResult:
    """A region's firms when ``imported`` permits (net) arrive through links.

    ``price`` is the region's price as the links tie it; it differs from the
    region's own clearing price only where the region is at a kink of its
    costs, where its firms' abatement is the same at either price.
    """
    b, q, mac = region.bau, region.permits, region.mac
    required = float(b.sum()) - (float(region.cap) + imported)
    p, on_step = supply.price(required)
    if math.isinf(p):
        raise InfeasibleError(
            f"region {region.name!r} cannot meet its cap even when linked: its firms can abate "
            f"at most {supply.capacity!r} tonnes but {required!r} are required"
        )
    common: dict[str, Any] = {"mac": mac, "bau": b, "permits": q, "imported": imported}
    if required <= 0:
        a = supply.lower(0.0)
        net, unused = split_surplus(q.astype(np.float64), b - a, imported)
        return build_result(
            **common, price=price, status="surplus", abatement=a, net_trade=net, unused=unused
        )
    a = supply.allocate(p, required, on_step)
    return build_result(
        **common, price=price, status="cleared", abatement=a, net_trade=(b - a) - q
    )
