"""The secondary market: the competitive permit price and who abates what.

Firms hold permits (from free allocation or an auction) and emit, before any
abatement, their business-as-usual (BAU) emissions. Each firm abates until
its marginal abatement cost equals the permit price, then buys the permits
it still lacks or sells those it does not need. :func:`equilibrium` finds
the price at which purchases and sales balance, i.e. at which total
abatement equals ``sum(bau) - sum(permits)``. At that price every firm's
marginal cost is the same, so the abatement is done by whoever does it
cheapest: the total abatement cost is the lowest of any split of the same
total, and it does not depend on who received the permits at first; only
the money changing hands does (Coase 1960; Montgomery 1972).

Solving
-------
When every curve is piecewise linear (:class:`~allocation.abatement.LinearMAC`,
:class:`~allocation.abatement.PiecewiseLinearMAC`,
:class:`~allocation.abatement.TechnologyStep`, a quadratic curve with no
quadratic term), total abatement is a piecewise-linear function of the
price and the price is found exactly: the curves' break points are sorted,
a binary search finds the two between which the required total is reached
(summing every piece's fill afresh at each break it tries, so that a steep
piece costs no digits), and the price is interpolated between them. With
linear curves and no firm abating all of its emissions this is the closed
form ``price = R / sum(1 / c_i)``. Otherwise the price is bracketed (between
0, the flat steps of the curves, and the price at which every firm abates
all it can) and found by :func:`scipy.optimize.brentq` to machine precision.
Totals of tonnes are compared to rounding: a few ulp of the firms' capacity,
never a fixed share of it, so that a whole tonne short at 1e12 tonnes is
not mistaken for rounding.

Units
-----
Permits are whole (``permits`` is an integer array); emissions, abatement
and trades are tonnes and real-valued, as in the continuous model of the
literature. Rounding trades to whole permits is the business of the call
market (:func:`auctions.double_auction`).

Price collar and price band
---------------------------
``price_floor`` and ``price_ceiling`` form a collar backed by the regulator.
At the ceiling the regulator issues whatever permits firms still need at
the ceiling price (``issued``; a cost-containment reserve without a
quantity limit). At the floor firms abate as much as the floor price makes
worthwhile and the permits nobody needs are left unused (``unused``): kept
and banked by the firms that would have sold them, each in proportion to
what it offered, or withdrawn by the regulator. A band around a reference
price (Shanxi: trades at the benchmark price, at most 20 % above it) is not
backed by anyone: at the edge of the band the long side of the market is
rationed in proportion to what each firm asked for, rationed buyers abate
the rest themselves, rationed sellers keep their permits and abate only what
they need.

References
----------
Coase, R. H. (1960). The problem of social cost. *Journal of Law and
Economics* 3, 1-44.
Montgomery, W. D. (1972). Markets in licenses and efficient pollution control
programs. *Journal of Economic Theory* 5(3), 395-418.
Tietenberg, T. H. (2006). *Emissions Trading: Principles and Practice*, 2nd
ed. Resources for the Future, chapter 3.
Pizer, W. A. (2002). Combining price and quantity controls to mitigate
global climate change. *Journal of Public Economics* 85(3), 409-434 (the
collar).
Seed 002 of this project (Shanxi): secondary trades at a unified price with
upward float of at most 20 % (上浮不超过 20%).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from allocation.abatement import LinearMAC, MarginalAbatementCost, Pieces, StackedMAC
from allocation.rounding import exact_sum
from auctions._validate import as_prices, as_quantities, check_choice, check_price, same_length

__all__ = [
    "MARKET_METHODS",
    "MARKET_STATUSES",
    "InfeasibleError",
    "MarketResult",
    "TwoFirmTrade",
    "equilibrium",
    "two_firm_model",
]

FloatArray = NDArray[np.float64]

#: How :func:`equilibrium` finds the price.
MARKET_METHODS: Final = ("auto", "exact", "bracket")
#: What bound, if any, set the price.
MARKET_STATUSES: Final = ("cleared", "surplus", "floor", "ceiling", "band_bottom", "band_top")

#: Rounding slack on totals of tonnes, in units of the float64 epsilon of the
#: larger of the firms' capacity and the required total.
_ULPS = 16
_EPS = float(np.finfo(np.float64).eps)
_MAX_PRICE = float(np.finfo(np.float64).max)


class InfeasibleError(ValueError):
    """The firms cannot abate as much as the permits require."""


# ======================================================================
# solver
# ======================================================================
def _lowest(reaches: Callable[[float], bool], lo: float, hi: float) -> float:
    """The lowest price in ``[lo, hi]`` at which ``reaches`` holds (it holds at ``hi``).

    A root finder may land anywhere in a range where total abatement is flat
    at the required amount (a firm's curve capped at its emissions); the
    market price is the bottom of that range.
    """
    if reaches(lo):
        return lo
    while hi - lo > 4 * np.finfo(float).eps * max(abs(hi), 1e-300):
        mid = lo + (hi - lo) / 2
        if mid <= lo or mid >= hi:
            break
        if reaches(mid):
            hi = mid
        else:
            lo = mid
    return hi


class _PieceSupply:
    """Total abatement of linear pieces and steps at a price, summed piece by piece.

    Each piece's fill is clipped to ``[0, amount]`` on its own, so a piece is
    exactly full at its end price however steep it is: no running sum of
    slopes, which loses the digits of a steep piece to cancellation.
    """

    def __init__(self, pieces: Pieces) -> None:
        ramp = pieces.hi > pieces.lo
        self.lo = pieces.lo[ramp]
        self.width = pieces.hi[ramp] - self.lo
        self.amount = pieces.amount[ramp]
        self.step_at = pieces.lo[~ramp]
        self.step_amount = pieces.amount[~ramp]
        ends = np.concatenate([[0.0], pieces.lo, pieces.hi])
        #: The prices where total abatement bends or jumps, sorted, 0 first.
        self.breaks = np.unique(ends[np.isfinite(ends)])
        #: Whether some piece ends beyond the largest float (never fills up).
        self.unbounded = not bool(np.isfinite(ends).all())

    def at(self, price: float, below: bool = False) -> float:
        """Tonnes at ``price`` (``below``: just below it, without the steps at ``price``)."""
        with np.errstate(over="ignore"):  # past a very steep piece: share inf, clipped
            share = np.clip((price - self.lo) / self.width, 0.0, 1.0)
        taken = self.step_at < price if below else self.step_at <= price
        return float(np.sum(self.amount * share) + np.sum(self.step_amount[taken]))

    def first_reaching(self, need: float) -> int:
        """Index of the first break at which ``need`` tonnes are abated (``len`` if none)."""
        lo, hi = 0, len(self.breaks)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.at(float(self.breaks[mid])) >= need:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def price(self, required: float, need: float) -> tuple[float, bool]:
        """The lowest price at which ``required`` tonnes are abated, ``need`` to rounding."""
        u = self.breaks
        j = self.first_reaching(need)
        if j == len(u):
            if self.unbounded:
                return math.inf, False
            j = len(u) - 1  # the capacity was checked: short only by rounding
        if j == 0:
            return 0.0, False
        below = self.at(float(u[j]), below=True)
        if below < need:  # the steps at u[j] are needed
            return float(u[j]), True
        # Supply is linear between two breaks: interpolate between its values
        # just after the one and just before the other.
        start = self.at(float(u[j - 1]))
        share = min((required - start) / (below - start), 1.0)
        p = float(u[j - 1] + share * (u[j] - u[j - 1]))
        return min(max(p, float(u[j - 1])), float(u[j])), False


class Supply:
    """Total abatement as a function of the price, for one population of firms.

    ``limit`` caps each firm's abatement (its BAU emissions, its curve's
    maximum, a sales limit). Built once; :meth:`price` then answers for any
    required total. For piecewise-linear curves the break points are sorted
    once and each answer searches them, summing the pieces' fills afresh at
    each price it tries.
    """

    def __init__(
        self, mac: MarginalAbatementCost, limit: FloatArray, method: str = "auto"
    ) -> None:
        self.mac = mac
        self.limit = limit
        self.n = len(limit)
        self.capacity = float(limit.sum())
        # Linear curves: the closed form R / sum(1 / c_i), unless some firm would
        # abate beyond its limit (then the break points are sorted after all).
        self.linear = isinstance(mac, LinearMAC) and method != "bracket"
        self._pieces: _PieceSupply | None = None
        pieces = None if method == "bracket" or self.linear else mac._pieces(limit)
        if method == "exact" and pieces is None and not self.linear:
            raise ValueError(
                f"method='exact' needs piecewise-linear curves (got {mac!r}); "
                "use method='auto' or 'bracket'"
            )
        self.exact = self.linear or pieces is not None
        if pieces is not None:
            self._pieces = _PieceSupply(pieces)
        if not self.exact:
            firm, jumps = mac._jumps()
            jumps = jumps[limit[firm] > 0]
            self.jumps = np.unique(jumps)
            # The dearest last tonne; where it overflows, the largest float.
            with np.errstate(over="ignore", invalid="ignore"):
                top = float(mac._marginal_cost(limit).max()) if self.n else 0.0
            self.overflow = not top <= _MAX_PRICE
            self.top = _MAX_PRICE if self.overflow else top

    def slack(self, required: float) -> float:
        """Rounding slack on a total of ``required`` tonnes: a few ulp of the larger total."""
        return _ULPS * _EPS * max(self.capacity, required)

    # ---------------------------------------------------------- exact
    def _closed_form(self, required: float) -> float | None:
        """``R / sum(1 / c_i)`` for linear curves, or ``None`` if a firm passes its limit.

        Scaled by the smallest slope so that ``1 / c_i`` cannot overflow.
        """
        assert isinstance(self.mac, LinearMAC)
        slope = self.mac.slope
        least = float(slope.min())
        p = least * (required / float(np.sum(least / slope)))
        if math.isfinite(p) and p > 0 and bool((p <= slope * self.limit).all()):
            return p
        return None

    def _exact_price(self, required: float) -> tuple[float, bool]:
        if self.linear:
            p = self._closed_form(required)
            if p is not None:
                return p, False
        if self._pieces is None:
            pieces = self.mac._pieces(self.limit)
            assert pieces is not None
            self._pieces = _PieceSupply(pieces)
        return self._pieces.price(required, required - self.slack(required))

    # ------------------------------------------------- supply at a price
    def upper(self, price: float) -> FloatArray:
        """Each firm's abatement at ``price`` (top of any indifference range)."""
        p = np.broadcast_to(np.float64(price), (self.n,))
        return np.minimum(self.mac._abatement(p), self.limit)

    def lower(self, price: float) -> FloatArray:
        """Each firm's abatement just below ``price`` (bottom of the range)."""
        p = np.broadcast_to(np.float64(price), (self.n,))
        return np.minimum(self.mac._abatement_below(p), self.limit)

    # -------------------------------------------------------- bracket
    def _bracket_price(self, required: float) -> tuple[float, bool]:
        def up(p: float) -> float:
            return float(self.upper(p).sum())

        if up(0.0) >= required:
            return 0.0, float(self.lower(0.0).sum()) < required
        jumps = self.jumps[(self.jumps > 0) & (self.jumps <= self.top)]
        lo_i, hi_i = 0, len(jumps)  # smallest jump with up(jump) >= required
        while lo_i < hi_i:
            mid = (lo_i + hi_i) // 2
            if up(float(jumps[mid])) >= required:
                hi_i = mid
            else:
                lo_i = mid + 1
        a = float(jumps[lo_i - 1]) if lo_i > 0 else 0.0
        if lo_i < len(jumps):
            b = float(jumps[lo_i])
            below_b = float(self.lower(b).sum())
            if below_b < required:
                return b, True
        else:
            b = self.top
            below_b = up(b)
            # Short at the largest float: the price overflows. (At a true top
            # every firm is at its limit, however a steep curve inverts.)
            if self.overflow and below_b < required - self.slack(required):
                return math.inf, False
            if below_b <= required:  # every firm at its limit (to rounding)
                return _lowest(lambda x: up(x) >= below_b, a, b), False

        def excess(p: float) -> float:
            return (up(p) if p < b else below_b) - required

        p = brentq(excess, a, b, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
        return _lowest(lambda x: up(x) >= required, a, float(p)), False

    # --------------------------------------------------------- public
    def price(self, required: float) -> tuple[float, bool]:
        """The lowest price at which the firms abate ``required`` tonnes.

        Returns the price and whether it falls on a flat step (some firm is
        indifferent about part of its abatement). ``inf`` when the firms
        cannot abate that much; 0 when nothing is required.
        """
        if required <= 0:
            return 0.0, False
        if required > self.capacity + self.slack(required):
            return math.inf, False
        p, on_step = self._exact_price(required) if self.exact else self._bracket_price(required)
        if not on_step and math.isfinite(p):
            # A price that lands exactly on a step (a technology at that cost)
            # takes the step only as far as needed.
            on_step = float(self.upper(p).sum()) > float(self.lower(p).sum())
        return p, on_step

    def allocate(self, price: float, required: float, on_step: bool) -> FloatArray:
        """Each firm's abatement at the clearing price ``price``."""
        if not on_step:
            return self.upper(price)
        low, high = self.lower(price), self.upper(price)
        gap = float(high.sum() - low.sum())
        share = min(max((required - float(low.sum())) / gap, 0.0), 1.0) if gap > 0 else 0.0
        return low + share * (high - low)


# ======================================================================
# result
# ======================================================================
def _frozen(arr: NDArray[Any]) -> NDArray[Any]:
    out = np.array(arr, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class MarketResult:
    """The competitive equilibrium of a permit market: price, abatement, trades, costs.

    Every array has one entry per firm, in the order given. For each firm

        ``permits + net_trade + issued == emissions + unused - shortfall``

    (to the solver's precision), and ``net_trade`` sums to ``imported``
    (zero for a market on its own).

    Attributes
    ----------
    price : float
        The permit price.
    status : str
        ``"cleared"`` (supply met demand at a positive price),
        ``"surplus"`` (more permits than emissions: price 0), ``"floor"``,
        ``"ceiling"`` (the collar set the price), ``"band_bottom"``,
        ``"band_top"`` (the edge of a price band set it and one side of the
        market was rationed).
    bau : ndarray of float64
        Business-as-usual emissions, tonnes.
    permits : ndarray of int64
        Permits held before trading.
    abatement : ndarray of float64
        Tonnes abated.
    net_trade : ndarray of float64
        Permits bought from other firms (or through a link), sales negative.
    issued : ndarray of float64
        Permits bought from the regulator at the price ceiling.
    unused : ndarray of float64
        Permits held beyond emissions after trading (banked or withdrawn).
    shortfall : ndarray of float64
        Emissions not covered by permits (only where a price band rationed a
        buyer that could not abate the rest).
    abatement_cost : ndarray of float64
        Total abatement cost.
    cost : ndarray of float64
        Compliance cost: abatement cost plus ``price * (net_trade + issued)``
        (negative when sales earn more than abatement costs). Banked permits
        are not valued.
    cost_without_trading : ndarray of float64
        Abatement cost if each firm had to cover its emissions with its own
        permits (``inf`` for a firm that cannot abate that much).
    imported : float
        Permits brought into this market from linked markets.
    """

    price: float
    status: str
    bau: FloatArray
    permits: NDArray[np.int64]
    abatement: FloatArray
    net_trade: FloatArray
    issued: FloatArray
    unused: FloatArray
    shortfall: FloatArray
    abatement_cost: FloatArray
    cost: FloatArray
    cost_without_trading: FloatArray
    imported: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "bau",
            "permits",
            "abatement",
            "net_trade",
            "issued",
            "unused",
            "shortfall",
            "abatement_cost",
            "cost",
            "cost_without_trading",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return len(self.bau)

    @property
    def emissions(self) -> FloatArray:
        """Emissions after abatement, tonnes."""
        return self.bau - self.abatement

    @property
    def saving(self) -> FloatArray:
        """Each firm's gain from trading: ``cost_without_trading - cost``."""
        return self.cost_without_trading - self.cost

    @property
    def total_abatement(self) -> float:
        """Tonnes abated in all."""
        return exact_sum(self.abatement)

    @property
    def total_abatement_cost(self) -> float:
        """The market's total abatement cost."""
        return exact_sum(self.abatement_cost)

    @property
    def total_saving(self) -> float:
        """The fall in total abatement cost against no trading.

        Trade payments cancel between firms, so this equals
        ``saving.sum()`` unless the regulator sold permits at the ceiling or
        permits were imported.
        """
        return exact_sum(self.cost_without_trading) - self.total_abatement_cost

    @property
    def volume(self) -> float:
        """Permits bought from other firms, in all."""
        return exact_sum(np.maximum(self.net_trade, 0.0))

    @property
    def total_issued(self) -> float:
        """Permits the regulator sold at the ceiling."""
        return exact_sum(self.issued)

    @property
    def total_unused(self) -> float:
        """Permits left unused."""
        return exact_sum(self.unused)

    def to_frame(self) -> Any:
        """One row per firm as a :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        return pd.DataFrame(
            {
                "bau": self.bau,
                "permits": self.permits,
                "abatement": self.abatement,
                "emissions": self.emissions,
                "net_trade": self.net_trade,
                "issued": self.issued,
                "unused": self.unused,
                "shortfall": self.shortfall,
                "abatement_cost": self.abatement_cost,
                "cost": self.cost,
                "cost_without_trading": self.cost_without_trading,
                "saving": self.saving,
            }
        )

    def __repr__(self) -> str:
        return (
            f"MarketResult(status={self.status!r}, price={self.price!r}, "
            f"n_firms={self.n_firms}, total_abatement={self.total_abatement!r}, "
            f"volume={self.volume!r}, total_saving={self.total_saving!r})"
        )


# ======================================================================
# checks shared with linking
# ======================================================================
def as_curve(mac: object, n: int) -> MarginalAbatementCost:
    """``mac`` as one curve covering ``n`` firms (a sequence is stacked)."""
    if isinstance(mac, Sequence) and not isinstance(mac, str | bytes):
        mac = StackedMAC(mac)
    if not isinstance(mac, MarginalAbatementCost):
        raise TypeError(f"mac must be a marginal abatement cost curve (got {mac!r})")
    if mac.n_firms != n:
        raise ValueError(
            f"mac must cover one firm per bau entry (got {mac.n_firms} for {n} firms)"
        )
    return mac


def check_firms(
    bau: ArrayLike, permits: ArrayLike, mac: object
) -> tuple[FloatArray, NDArray[np.int64], MarginalAbatementCost]:
    """Validated ``bau`` (tonnes >= 0), ``permits`` (whole >= 0) and curve."""
    b = as_prices("bau", bau)
    q = as_quantities("permits", permits)
    n = same_length(bau=b, permits=q)
    return b, q, as_curve(mac, n)


def without_trading(
    mac: MarginalAbatementCost, bau: FloatArray, permits: NDArray[np.int64]
) -> FloatArray:
    """Each firm's abatement cost covering its emissions with its own permits."""
    need = np.maximum(bau - permits, 0.0)
    cost = mac._total_cost(need)
    return np.where(need > mac.max_abatement, math.inf, cost)


def build_result(
    *,
    mac: MarginalAbatementCost,
    bau: FloatArray,
    permits: NDArray[np.int64],
    price: float,
    status: str,
    abatement: FloatArray,
    net_trade: FloatArray,
    issued: FloatArray | None = None,
    unused: FloatArray | None = None,
    shortfall: FloatArray | None = None,
    imported: float = 0.0,
) -> MarketResult:
    """A :class:`MarketResult`, costs computed from the trades."""
    zero = np.zeros(len(bau))
    issued = zero if issued is None else issued
    unused = zero if unused is None else unused
    shortfall = zero if shortfall is None else shortfall
    abatement_cost = mac._total_cost(abatement)
    return MarketResult(
        price=float(price),
        status=status,
        bau=bau,
        permits=permits,
        abatement=abatement,
        net_trade=net_trade,
        issued=issued,
        unused=unused,
        shortfall=shortfall,
        abatement_cost=abatement_cost,
        cost=abatement_cost + price * (net_trade + issued),
        cost_without_trading=without_trading(mac, bau, permits),
        imported=float(imported),
    )


def split_surplus(
    available: FloatArray, emissions: FloatArray, imported: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Trades and unused permits when permits are left over at the price.

    ``available`` are the permits each firm may use; ``imported`` permits
    arrive from outside. Buyers get what they lack; sellers sell in
    proportion to their surplus and keep the rest; imports beyond the
    buyers' needs stay with the buyers in proportion to their emissions.
    Returns ``(net_trade, unused)``.
    """
    surplus = available - emissions
    sellers = surplus > 0
    offered = float(surplus[sellers].sum())
    wanted = float(-surplus[~sellers].sum())
    to_sell = wanted - imported
    net = np.where(sellers, 0.0, -surplus) + 0.0
    unused = np.where(sellers, surplus, 0.0)
    if to_sell >= 0 and offered > 0:
        ratio = min(to_sell / offered, 1.0)
        net = np.where(sellers, -surplus * ratio, net) + 0.0
        unused = np.where(sellers, surplus * (1.0 - ratio), 0.0)
    elif to_sell < 0:
        extra = -to_sell
        weight = np.where(sellers, 0.0, emissions)
        total = float(weight.sum())
        if total <= 0:
            weight, total = np.ones(len(emissions)), float(len(emissions))
        net = net + extra * weight / total
        unused = unused + extra * weight / total
    return net, unused


# ======================================================================
# equilibrium
# ======================================================================
def _band(
    reference_price: float | None, band: float | tuple[float | None, float | None] | None
) -> tuple[float, float]:
    if band is None and reference_price is None:
        return 0.0, math.inf
    if band is None or reference_price is None:
        raise ValueError(
            "reference_price and band go together "
            f"(got reference_price={reference_price!r}, band={band!r})"
        )
    ref = check_price("reference_price", reference_price)
    assert ref is not None
    if isinstance(band, tuple | list):
        if len(band) != 2:
            raise ValueError(f"band must be a share or a pair (below, above) (got {band!r})")
        below, above = band
    else:
        below = above = band
    shares: list[float | None] = []
    for name, value in (("band below", below), ("band above", above)):
        if value is None:
            shares.append(None)
            continue
        share = check_price(name, value)
        shares.append(share)
    down, up = shares
    if down is not None and down > 1:
        raise ValueError(f"band below must be <= 1 (got {down!r})")
    low = 0.0 if down is None else ref * (1.0 - down)
    high = math.inf if up is None else ref * (1.0 + up)
    return low, high


def equilibrium(
    bau: ArrayLike,
    permits: ArrayLike,
    mac: MarginalAbatementCost | Sequence[MarginalAbatementCost],
    *,
    price_floor: float | None = None,
    price_ceiling: float | None = None,
    reference_price: float | None = None,
    band: float | tuple[float | None, float | None] | None = None,
    max_sale: ArrayLike | None = None,
    method: Literal["auto", "exact", "bracket"] = "auto",
) -> MarketResult:
    """The competitive permit price and each firm's abatement, trade and cost.

    Each firm abates until its marginal abatement cost equals the price;
    the price is the lowest at which total abatement reaches
    ``sum(bau) - sum(permits)``, so that purchases equal sales.

    Parameters
    ----------
    bau : array_like of float
        Each firm's business-as-usual emissions, tonnes >= 0. A firm cannot
        abate more than it emits.
    permits : array_like of int
        Permits each firm holds before trading, whole numbers >= 0.
    mac : MarginalAbatementCost or sequence of them
        The firms' cost curves, one firm per ``bau`` entry (a sequence is
        stacked in order).
    price_floor, price_ceiling : float, optional
        A collar backed by the regulator. At the ceiling it sells whatever
        firms still need (``issued``); at the floor the permits nobody needs
        stay unused (``unused``, banked by the would-be sellers).
    reference_price : float, optional
        The benchmark price of a price band (Shanxi).
    band : float or (below, above), optional
        How far trades may stray from ``reference_price``, as shares of it:
        ``0.2`` is +/- 20 %, ``(0.0, 0.2)`` is Shanxi's "at the benchmark,
        at most 20 % above", ``None`` for an open side. At the edge of the
        band the long side of the market is rationed (see module notes).
    max_sale : array_like of int, optional
        The most each firm may sell (e.g. :func:`allocation.compliance.retention_limit`,
        Chongqing's 50 % retention of free permits). Permits a firm may not
        sell and does not need stay unused.
    method : {"auto", "exact", "bracket"}, default "auto"
        ``"exact"`` solves piecewise-linear curves by sorting their break
        points (an error for other curves); ``"bracket"`` uses the
        bracketed root finder for any curve; ``"auto"`` picks ``"exact"``
        when it can.

    Returns
    -------
    MarketResult

    Raises
    ------
    ValueError, TypeError
        For negative or non-finite emissions, negative or fractional
        permits, a curve covering a different number of firms, a floor above
        the ceiling, a band without a reference price, a collar outside the
        band, or (without a ceiling) firms that cannot abate as much as the
        permits require.

    References
    ----------
    Montgomery (1972), theorems 3 and 4 (the market equilibrium is the
    least-cost allocation whatever the initial distribution of licences);
    Coase (1960); Pizer (2002) on the collar; seed 002 (Shanxi's band).

    Examples
    --------
    Three firms with linear curves ``c_i * a`` must cut 70 tonnes in all.
    The closed form gives the price ``70 / (1/1 + 1/2 + 1/4) = 40``:

    >>> from allocation.abatement import LinearMAC
    >>> r = equilibrium(bau=[100, 100, 100], permits=[50, 90, 90],
    ...                 mac=LinearMAC([1.0, 2.0, 4.0]))
    >>> r.price, r.abatement.tolist(), r.net_trade.tolist()
    (40.0, [40.0, 20.0, 10.0], [10.0, -10.0, 0.0])
    >>> r.cost.tolist(), r.total_saving
    ([1200.0, 0.0, 200.0], 150.0)

    A ceiling at 30: the regulator sells the permits still missing.

    >>> c = equilibrium([100, 100, 100], [50, 90, 90], LinearMAC([1.0, 2.0, 4.0]),
    ...                 price_ceiling=30.0)
    >>> c.status, c.price, c.total_issued
    ('ceiling', 30.0, 17.5)
    """
    b, q, curve = check_firms(bau, permits, mac)
    how = check_choice("method", method, MARKET_METHODS)
    floor = check_price("price_floor", price_floor, allow_none=True)
    ceiling = check_price("price_ceiling", price_ceiling, allow_none=True)
    if floor is not None and ceiling is not None and floor > ceiling:
        raise ValueError(f"price_floor must be <= price_ceiling (got {floor!r} > {ceiling!r})")
    band_low, band_high = _band(reference_price, band)
    floor_v = 0.0 if floor is None else floor
    ceiling_v = math.inf if ceiling is None else ceiling
    if floor_v > band_high:
        raise ValueError(f"price_floor ({floor_v!r}) is above the top of the band ({band_high!r})")
    if ceiling_v < band_low:
        raise ValueError(
            f"price_ceiling ({ceiling_v!r}) is below the bottom of the band ({band_low!r})"
        )
    if max_sale is None:
        sale_cap = np.full(len(b), math.inf)
    else:
        sale_cap = as_quantities("max_sale", max_sale).astype(np.float64)
        same_length(bau=b, max_sale=sale_cap)

    # Permits a firm may use: it may not sell more than its sale limit.
    available = np.minimum(q.astype(np.float64), b + sale_cap)
    limit = np.minimum(np.minimum(b, np.maximum(b - q + sale_cap, 0.0)), curve.max_abatement)
    limit = np.maximum(limit, 0.0)
    required = float(b.sum() - available.sum())
    supply = Supply(curve, limit, how)
    p_eq, on_step = supply.price(required)

    low = max(floor_v, band_low)
    high = min(ceiling_v, band_high)
    common: dict[str, Any] = {"mac": curve, "bau": b, "permits": q}

    if p_eq > high or math.isinf(p_eq):
        if math.isinf(high):
            raise InfeasibleError(
                f"the firms can abate at most {supply.capacity!r} tonnes but the permits "
                f"require {required!r}; set a price_ceiling to let the regulator sell more"
            )
        a = supply.upper(high)
        emissions = b - a
        need = emissions - available  # > 0 buyers, < 0 sellers
        sellers = need < 0
        offered = float(-need[sellers].sum())
        wanted = float(need[~sellers].sum())
        ratio = min(offered / wanted, 1.0) if wanted > 0 else 0.0
        if ceiling_v <= band_high:
            net = np.where(sellers, need, need * ratio)
            issued = np.where(sellers, 0.0, need * (1.0 - ratio))
            unused = q - available
            return build_result(
                **common,
                price=high,
                status="ceiling",
                abatement=a,
                net_trade=net,
                issued=issued,
                unused=unused,
            )
        # Band top, no backing: buyers rationed, they abate the rest themselves.
        bought = np.where(sellers, need, need * ratio)
        wanted_abatement = np.where(sellers, a, b - available - bought)
        cap = np.minimum(b, curve.max_abatement)
        a = np.minimum(wanted_abatement, cap)
        shortfall = wanted_abatement - a
        return build_result(
            **common,
            price=high,
            status="band_top",
            abatement=a,
            net_trade=bought,
            unused=q - available,
            shortfall=shortfall,
        )

    if p_eq < low or required <= 0:
        price = max(low, p_eq)
        a = supply.lower(price)
        emissions = b - a
        if price == 0.0 or floor_v >= band_low:
            net, unused = split_surplus(available, emissions)
            status = "surplus" if price == 0.0 else "floor"
            return build_result(
                **common,
                price=price,
                status=status,
                abatement=a,
                net_trade=net,
                unused=unused + (q - available),
            )
        # Band bottom, no backing: sellers rationed, they abate only what they need.
        surplus = available - emissions
        sellers = surplus > 0
        offered = float(surplus[sellers].sum())
        wanted = float(-surplus[~sellers].sum())
        ratio = min(wanted / offered, 1.0) if offered > 0 else 0.0
        sold = np.where(sellers, surplus * ratio, 0.0)
        a = np.where(sellers, np.maximum(b - available + sold, 0.0), a)
        emissions = b - a
        net = np.where(sellers, -sold, -surplus)
        unused = available + net - emissions
        return build_result(
            **common,
            price=price,
            status="band_bottom",
            abatement=a,
            net_trade=net,
            unused=np.maximum(unused, 0.0) + (q - available),
        )

    a = supply.allocate(p_eq, required, on_step)
    net = (b - a) - available
    return build_result(
        **common,
        price=p_eq,
        status="cleared",
        abatement=a,
        net_trade=net,
        unused=q - available,
    )


# ======================================================================
# the two-firm model of seed 000
# ======================================================================
@dataclass(frozen=True, kw_only=True)
class TwoFirmTrade:
    """The two-firm trade of seed 000, section 2.2, worked out in closed form.

    Firm A has marginal abatement cost ``slope_a * q``, firm B
    ``slope_b * q``; A must cut ``reduction_a`` tonnes and B ``reduction_b``.

    Attributes
    ----------
    slope_a, slope_b : float
        Slopes of the two marginal cost curves.
    reduction_a, reduction_b : float
        Reductions each firm is required to make (the seed's ``Q0``).
    price : float
        The equilibrium permit price (the seed's ``p = C*``).
    traded : float
        Permits A buys from B (negative when A sells); the seed's ``q1 = q2``.
    abatement_a, abatement_b : float
        Tonnes each firm abates after trading.
    cost_before_a, cost_before_b : float
        Abatement cost without trading, ``slope * reduction**2 / 2``.
    cost_after_a, cost_after_b : float
        Abatement cost plus permit payments after trading.
    saving_a, saving_b : float
        ``cost_before - cost_after``, equal to ``slope * traded**2 / 2``.
    total_saving : float
        ``saving_a + saving_b = (slope_a + slope_b) * traded**2 / 2``.
    """

    slope_a: float
    slope_b: float
    reduction_a: float
    reduction_b: float
    price: float
    traded: float
    abatement_a: float
    abatement_b: float
    cost_before_a: float
    cost_before_b: float
    cost_after_a: float
    cost_after_b: float
    saving_a: float
    saving_b: float
    total_saving: float


def two_firm_model(
    slope_a: float, slope_b: float, reduction: float | tuple[float, float]
) -> TwoFirmTrade:
    """Two firms with linear marginal abatement costs trade until their marginal costs are equal.

    Seed 000 (section 2.2) gives each of two firms the same required
    reduction ``Q0``; firm A's marginal cost ``MC1`` is steeper than firm
    B's ``MC2``. This function works the model out in closed form (see
    Notes for the formulas and for where the seed's algebra goes wrong).

    Parameters
    ----------
    slope_a, slope_b : float
        Slopes of the firms' marginal abatement cost curves, > 0.
    reduction : float or (float, float)
        The reduction each firm must make (one value for both, as in the
        seed), tonnes >= 0.

    Returns
    -------
    TwoFirmTrade

    Notes
    -----
    With ``MC_A(q) = c1 q``, ``MC_B(q) = c2 q`` and a reduction ``Q0`` each:

    - price: ``p = 2 c1 c2 Q0 / (c1 + c2)``;
    - permits A buys from B: ``q = Q0 (c1 - c2) / (c1 + c2)``; A abates
      ``Q0 - q``, B abates ``Q0 + q``;
    - A's saving ``S_A = c1 q**2 / 2``, B's ``S_B = c2 q**2 / 2``; in total
      ``TS = (c1 + c2) q**2 / 2 = (c1 - c2)**2 Q0**2 / (2 (c1 + c2))``.

    Writing ``C_i = c_i Q0`` for each firm's marginal cost at ``Q0`` without
    trading (the heights the seed calls ``C1`` and ``C2``) and ``C* = p``:
    ``S_A = (C1 - C*) q / 2``, ``S_B = (C* - C2) q / 2`` and
    ``TS = (C1 - C2) q / 2``.

    Where the seed differs:

    - It states the total cost "before" and "after" the transaction with
      the same expression, ``1/2 c_i (Q0 ± q_i) ± p q_i``; before trading
      the cost is ``1/2 C_i Q0 = 1/2 c_i Q0**2``.
    - Its equation (1) calls the per-firm saving ``S_i`` the saving "of
      social pollution control"; it is one firm's private saving.
    - It uses ``C_i`` both for the slope of a curve (the text: "the slope
      ... represents the marginal pollution control cost") and for the
      marginal cost at ``Q0`` (equations 1-3). Equations (2) and (3) hold
      only in the second reading.
    - Equation (4), ``TS = 1/2 (C1 q1 - C2 q2)``, is right only because
      ``q1 = q2``: the ``C*`` terms of (2) and (3) cancel only then. In the
      slope reading it is wrong by a factor ``Q0``: with ``c1 = 4``,
      ``c2 = 1``, ``Q0 = 10`` it gives 9 where the saving is 90.

    With different reductions ``(r_a, r_b)``,
    ``q = (c1 r_a - c2 r_b) / (c1 + c2)``,
    ``p = c1 c2 (r_a + r_b) / (c1 + c2)`` and the savings are still
    ``c_i q**2 / 2``.

    References
    ----------
    Seed 000, section 2.2 and figure 1; Tietenberg (2006), chapter 3 (the
    two-firm cost-effectiveness diagram); Montgomery (1972).

    Examples
    --------
    >>> t = two_firm_model(4.0, 1.0, 10.0)
    >>> t.price, t.traded, t.abatement_a, t.abatement_b
    (16.0, 6.0, 4.0, 16.0)
    >>> t.saving_a, t.saving_b, t.total_saving
    (72.0, 18.0, 90.0)
    """
    c1 = check_price("slope_a", slope_a)
    c2 = check_price("slope_b", slope_b)
    assert c1 is not None and c2 is not None
    for name, c in (("slope_a", c1), ("slope_b", c2)):
        if c <= 0:
            raise ValueError(f"{name} must be > 0 (got {c!r})")
    if isinstance(reduction, tuple | list):
        if len(reduction) != 2:
            raise ValueError(f"reduction must be one value or a pair (got {reduction!r})")
        r_a = check_price("reduction[0]", reduction[0])
        r_b = check_price("reduction[1]", reduction[1])
    else:
        r_a = r_b = check_price("reduction", reduction)
    assert r_a is not None and r_b is not None
    total = r_a + r_b
    abate_a = total / (1.0 + c1 / c2)  # c2 total / (c1 + c2), without overflow
    abate_b = total - abate_a
    # c1 a_A = c2 a_B: from the firm abating more, whose share does not underflow.
    price = c2 * abate_b if c1 >= c2 else c1 * abate_a
    traded = r_a - abate_a
    # 0.5 c x x from the left: x * x alone over- or underflows long before the cost.
    before_a, before_b = 0.5 * c1 * r_a * r_a, 0.5 * c2 * r_b * r_b
    after_a = 0.5 * c1 * abate_a * abate_a + price * traded
    after_b = 0.5 * c2 * abate_b * abate_b - price * traded
    saving_a, saving_b = 0.5 * c1 * traded * traded, 0.5 * c2 * traded * traded
    return TwoFirmTrade(
        slope_a=c1,
        slope_b=c2,
        reduction_a=r_a,
        reduction_b=r_b,
        price=price,
        traded=traded,
        abatement_a=abate_a,
        abatement_b=abate_b,
        cost_before_a=before_a,
        cost_before_b=before_b,
        cost_after_a=after_a,
        cost_after_b=after_b,
        saving_a=saving_a,
        saving_b=saving_b,
        total_saving=saving_a + saving_b,
    )
