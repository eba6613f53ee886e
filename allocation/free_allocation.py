# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Free allocation: the result every rule returns and the steps all rules share.

A free-allocation rule (grandfathering, benchmarking, historical intensity,
equal quantity) decides one number per installation, its *entitlement*: the
permits the rule would give before any cap is considered. Everything after
that is common to all rules and done here, once:

1. **Split the cap.** ``auction_share`` of the cap is set aside for sale
   and ``reserve_share`` for a new-entrant reserve (each rounded down to
   whole permits); the rest is the free budget.
2. **Correct to the budget.** With ``scaling="down"`` the entitlements are
   kept when they fit the budget and all multiplied by one uniform
   correction factor when they would exceed it (the EU ETS cross-sectoral
   correction factor); with ``scaling="proportional"`` they are always
   scaled to exhaust the budget (grandfathering "scaled to the cap"). A
   ``correction_factor`` may also be imposed (a published one).
3. **Round.** Entitlements that fit are rounded one by one, half up; a
   corrected total is shared by largest remainder
   (:func:`allocation.rounding.largest_remainder`), ties broken by firm id,
   so that it is met exactly.
4. **Closures.** An installation closed in or before the allocation year
   receives nothing; what it would have received returns to the reserve.
5. **New-entrant reserve.** When ``reserve_share > 0``, new entrants are
   not in the main allocation: they are served from the reserve in order of
   entry (ties by id), each with what the same rule, with the same
   correction factor, gives it, until the reserve runs out.
6. **Leftover.** Permits that no installation receives (the reserve's
   remainder and any part of the free budget the entitlements do not use)
   are held by the regulator, cancelled, or auctioned (``leftover``).
7. **Auction.** When ``bids`` are given, the permits to be auctioned are
   sold in one uniform-price auction (:func:`auctions.uniform_price`); the
   allocation records the result and its revenue.

Whatever happens, ``free + reserved + auctioned == cap`` exactly, every
installation receives a whole number of permits >= 0, and the free
allocation never exceeds the cap (:func:`conserves_cap` checks it).

Common keyword options of every rule
------------------------------------
reserve_share : float in [0, 1], default 0
    Share of the cap set aside for new entrants.
auction_share : float in [0, 1], default 0
    Share of the cap sold at auction (a hybrid allocation);
    ``reserve_share + auction_share <= 1``.
leftover : {"hold", "cancel", "auction"}, default "hold"
    What happens to permits no installation receives.
bids : auctions.Bids, optional
    Bids for the permits to be auctioned; when given, the auction is run.
auction_options : mapping, optional
    Options for :func:`auctions.uniform_price` (``reserve_price``,
    ``price_rule``, ``tie_break``, ``lot_size``, ``bidder_limit``,
    ``on_undersubscribed``).
rng : int or numpy.random.Generator, optional
    Seed for the auction's random tie-breaking.
year : int, optional
    The allocation year, for closures; the year after the last base year
    when omitted.

References
----------
Directive 2003/87/EC, Article 10a(5) (the uniform cross-sectoral correction
factor) and Article 10a(7) (the new-entrant reserve); Commission Delegated
Regulation (EU) 2019/331, Articles 16-22 (installation-level allocation,
new entrants and cessation of operations).
Chongqing Bureau of Ecology and Environment, 重庆市碳排放配额管理细则 (Detailed
Rules for the Administration of Carbon Emission Allowances in Chongqing),
渝环规〔2023〕3号, Articles 8 and 10, as summarised in the Sichuan-Chongqing
seed (section 4.1.2): allowances allocated free, a government reserve of at
most 5 % that may be sold, and "advance allocation and adjustment".
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any, Final, Literal, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.firms import Firms, shown
from allocation.rounding import exact_sum, largest_remainder, round_half_up
from auctions import AuctionResult, Bids, uniform_price
from auctions._validate import check_choice, check_nonnegative_int, real_as_float

__all__ = [
    "LEFTOVER",
    "SCALING",
    "Allocation",
    "AllocationOptions",
    "conserves_cap",
]

LEFTOVER: Final = ("hold", "cancel", "auction")
SCALING: Final = ("down", "proportional")
STATISTICS: Final = ("mean", "median", "max", "last")

SeedLike = int | np.random.Generator | np.random.SeedSequence | None


class AllocationOptions(TypedDict, total=False):
    """The keyword options every free-allocation rule accepts (see the module docs)."""

    reserve_share: float
    auction_share: float
    leftover: Literal["hold", "cancel", "auction"]
    bids: Bids | None
    auction_options: Mapping[str, Any] | None
    rng: SeedLike
    year: int | None


_OPTION_NAMES: Final = frozenset(AllocationOptions.__annotations__)


@dataclass(frozen=True, kw_only=True, eq=False)
class Allocation:
    """What a free-allocation rule decided.

    Attributes
    ----------
    rule : str
        The registry name of the rule.
    firms : Firms
        The installations, in the order of ``permits``.
    entitlement : ndarray of float64
        What the rule gives each installation before the correction factor
        and rounding (for new entrants served from a reserve: their claim on
        it).
    permits : ndarray of int64
        Free permits per installation (read-only), including those served
        from the new-entrant reserve.
    cap : int
        The cap; when the rule was called without one, the total of the
        free allocation (a bottom-up cap, as in China's national ETS).
    correction_factor : float
        The uniform factor applied to every entitlement (1.0 when none).
    reserved : int
        Permits of the cap that no installation received and the regulator
        did not auction: the reserve's remainder, unused budget, permits of
        closed installations (including those cancelled).
    cancelled : int
        The part of ``reserved`` that was cancelled.
    auctioned : int
        Permits of the cap put up for auction.
    from_reserve : int
        Permits new entrants received from the reserve.
    returned : int
        Permits closed installations would have received, returned to the
        reserve (or held when there is none).
    year : int
        The allocation year.
    auction : AuctionResult or None
        The auction of the ``auctioned`` permits, when bids were given.

    Examples
    --------
    >>> from allocation import Firms, grandfathering
    >>> firms = Firms(["a", "b"], product="p", entry_year=2000, base_years=[2020],
    ...               emissions=[[300.0], [100.0]], output=[[1.0], [1.0]],
    ...               current_output=[1.0, 1.0])
    >>> a = grandfathering(firms, 1000, reserve_share=0.1)
    >>> a.permits.tolist(), a.free, a.reserved, a.auctioned, a.cap
    ([675, 225], 900, 100, 0, 1000)
    """

    rule: str
    firms: Firms
    entitlement: NDArray[np.float64]
    permits: NDArray[np.int64]
    cap: int
    correction_factor: float
    reserved: int
    cancelled: int = 0
    auctioned: int = 0
    from_reserve: int = 0
    returned: int = 0
    year: int
    auction: AuctionResult | None = field(default=None)

    def __post_init__(self) -> None:
        for name, dtype in (("entitlement", np.float64), ("permits", np.int64)):
            arr = np.array(getattr(self, name), dtype=dtype, copy=True)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def free(self) -> int:
        """Free permits in all."""
        return int(self.permits.sum())

    @property
    def revenue(self) -> float:
        """The auction's revenue (0.0 when no auction was run)."""
        return 0.0 if self.auction is None else self.auction.revenue

    def to_frame(self) -> Any:
        """One row per installation as a :class:`pandas.DataFrame` (``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        f = self.firms
        with np.errstate(divide="ignore", invalid="ignore"):
            per_output = np.where(f.current_output > 0, self.permits / f.current_output, np.nan)
        data: dict[str, Any] = {"id": f.id, "product": f.product}
        if f.sector is not None:
            data["sector"] = f.sector
        if f.region is not None:
            data["region"] = f.region
        data.update(
            {
                "entry_year": f.entry_year,
                "new_entrant": f.is_new_entrant,
                "current_output": f.current_output,
                "entitlement": self.entitlement,
                "permits": self.permits,
                "permits_per_output": per_output,
            }
        )
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        return (
            f"Allocation(rule={self.rule!r}, firms={len(self.firms)}, cap={self.cap}, "
            f"free={self.free}, reserved={self.reserved}, auctioned={self.auctioned}, "
            f"correction_factor={self.correction_factor!r})"
        )


def conserves_cap(allocation: Allocation) -> bool:
    """Permits are whole and non-negative, and ``free + reserved + auctioned == cap``.

    Also: the free allocation never exceeds the cap, cancelled permits are
    part of the reserved ones, and an auction sold exactly what was put up
    for auction or less.

    Examples
    --------
    >>> from allocation import Firms, benchmarking
    >>> firms = Firms(["a"], product="p", entry_year=2000, base_years=[2020],
    ...               emissions=[[5.0]], output=[[10.0]], current_output=[10.0])
    >>> conserves_cap(benchmarking(firms, 100, benchmarks={"p": 0.8}))
    True
    """
    a = allocation
    p = a.permits
    ok = (
        p.dtype == np.int64
        and p.shape == (len(a.firms),)
        and bool((p >= 0).all())
        and a.free + a.reserved + a.auctioned == a.cap
        and 0 <= a.free <= a.cap
        and 0 <= a.cancelled <= a.reserved
        and a.auctioned >= 0
    )
    if a.auction is not None:
        ok = ok and a.auction.supply == a.auctioned and a.auction.sold <= a.auctioned
    return bool(ok)


# ------------------------------------------------------------------ checks


def check_cap(cap: object, *, allow_none: bool = True) -> int | None:
    """``cap`` as an int >= 0 (or None)."""
    if cap is None:
        if allow_none:
            return None
        raise TypeError("cap must be a whole number >= 0 (got None)")
    return check_nonnegative_int("cap", cap)


def check_fraction(name: str, value: object) -> Fraction:
    """``value`` as an exact fraction in [0, 1] (read from its shortest decimal form)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1] (got {value!r})")
    v = real_as_float(name, value, "in [0, 1]")
    if not math.isfinite(v) or not 0 <= v <= 1:
        raise ValueError(f"{name} must be in [0, 1] (got {value!r})")
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    return Fraction(repr(float(value)))


def check_positive_real(name: str, value: object, *, upper: float | None = None) -> float:
    """``value`` as a finite float > 0 (and <= ``upper`` when given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {value!r})")
    v = real_as_float(name, value, "finite and > 0" + ("" if upper is None else f", <= {upper}"))
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and > 0 (got {value!r})")
    if upper is not None and v > upper:
        raise ValueError(f"{name} must be <= {upper} (got {value!r})")
    return v


def check_options(rule: str, options: Mapping[str, Any]) -> None:
    """A TypeError for keyword options no rule knows."""
    unknown = sorted(set(options) - _OPTION_NAMES)
    if unknown:
        raise TypeError(f"{rule} got an unexpected keyword argument {unknown[0]!r}")


def per_firm(
    name: str,
    value: object,
    firms: Firms,
    *,
    by: Literal["product", "sector"] = "sector",
    upper: float | None = None,
    rows: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """A factor per firm from a scalar, a per-firm sequence, or a mapping by group.

    Values must be finite, >= 0 and (when ``upper`` is given) <= ``upper``.
    A mapping is looked up by each firm's ``by`` label; a label missing from
    it is an error naming ``name`` and the label. When ``rows`` is given,
    only those firms need a value (the others get nan).
    """
    n = len(firms)
    if isinstance(value, Mapping):
        labels = firms.product if by == "product" else firms.sector
        if labels is None:
            raise ValueError(f"{name} is a mapping by {by}, but the firms have no {by}")
        codes, uniques = firms.product_codes if by == "product" else _factorize(labels)
        needed = np.ones(len(uniques), dtype=bool)
        if rows is not None:
            needed = np.bincount(codes[rows], minlength=len(uniques)) > 0
        table = np.full(len(uniques), np.nan)
        for j, label in enumerate(uniques.tolist()):
            if not needed[j]:
                continue
            if label not in value:
                first = firms.id[int(np.argmax(codes == j))]
                raise ValueError(f"{name} has no value for {by} {label!r} (firm {shown(first)})")
            table[j] = _check_factor(f"{name}[{label!r}]", value[label], upper)
        return table[codes]
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        return np.full(n, _check_factor(name, value, upper))
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(f"{name} must be a number, a sequence or a mapping (got {value!r})")
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one value per firm (got shape {arr.shape})")
    out = np.array(arr, dtype=np.float64, copy=True)
    bad = ~np.isfinite(out) | (out < 0)
    if upper is not None:
        bad |= out > upper
    if bad.any():
        i = int(np.argmax(bad))
        bound = "" if upper is None else f" and <= {upper}"
        raise ValueError(
            f"{name} must be finite, >= 0{bound} (got {float(out[i])!r} at index {i})"
        )
    return out


def _factorize(labels: NDArray[Any]) -> tuple[NDArray[np.int64], NDArray[Any]]:
    from auctions.bids import factorize

    return factorize(labels)


def _check_factor(name: str, value: object, upper: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {value!r})")
    bound = "" if upper is None else f" and <= {upper}"
    v = real_as_float(name, value, f"finite, >= 0{bound}")
    if not math.isfinite(v) or v < 0 or (upper is not None and v > upper):
        raise ValueError(f"{name} must be finite, >= 0{bound} (got {value!r})")
    return v


def history_statistic(
    values: NDArray[np.float64], recorded: NDArray[np.bool_], statistic: str
) -> NDArray[np.float64]:
    """Per row, ``statistic`` of the recorded values (0.0 for rows with none).

    ``"mean"``, ``"median"`` and ``"max"`` (the highest year) are taken over
    the recorded years; ``"last"`` is the most recent recorded year.

    Examples
    --------
    >>> nan = float("nan")
    >>> v = np.array([[1.0, 3.0, nan], [nan, nan, nan], [2.0, 8.0, 5.0]])
    >>> history_statistic(v, ~np.isnan(v), "mean").tolist()
    [2.0, 0.0, 5.0]
    >>> history_statistic(v, ~np.isnan(v), "last").tolist()
    [3.0, 0.0, 5.0]
    >>> history_statistic(v, ~np.isnan(v), "median").tolist()
    [2.0, 0.0, 5.0]
    """
    n, k = values.shape
    out: NDArray[np.float64]
    count = recorded.sum(axis=1)
    has = count > 0
    clean = np.where(recorded, values, 0.0)
    if statistic == "mean":
        out = np.divide(clean.sum(axis=1), count, out=np.zeros(n), where=has)
        return out
    if statistic == "max":
        out = np.where(has, np.where(recorded, values, -np.inf).max(axis=1), 0.0)
        return out
    if statistic == "last":
        last = k - 1 - np.argmax(recorded[:, ::-1], axis=1)
        out = np.where(has, clean[np.arange(n), last], 0.0)
        return out
    if statistic == "median":
        ordered = np.sort(np.where(recorded, values, np.inf), axis=1)
        lo = np.clip((count - 1) // 2, 0, k - 1)
        hi = np.clip(count // 2, 0, k - 1)
        rows = np.arange(n)
        mid = 0.5 * (ordered[rows, lo] + ordered[rows, hi])
        out = np.where(has, mid, 0.0)
        return out
    raise ValueError(
        f"statistic must be one of {', '.join(map(repr, STATISTICS))} (got {statistic!r})"
    )


# ------------------------------------------------------------------ the shared steps


@dataclass(frozen=True)
class _Split:
    auction: int
    reserve: int
    budget: int


def _split(cap: int, reserve_share: Fraction, auction_share: Fraction) -> _Split:
    if reserve_share + auction_share > 1:
        raise ValueError(
            f"reserve_share + auction_share must be <= 1 "
            f"(got {float(reserve_share)} + {float(auction_share)})"
        )
    auction = math.floor(auction_share * cap)
    reserve = math.floor(reserve_share * cap)
    return _Split(auction=auction, reserve=reserve, budget=cap - auction - reserve)


@dataclass(frozen=True)
class _Settings:
    """The common keyword options of a rule, checked."""

    scaling: str
    reserve_share: Fraction
    auction_share: Fraction
    leftover: str
    bids: Bids | None
    auction_options: dict[str, Any]
    year: int
    imposed: float


def _settings(
    rule: str, firms: Firms, cap: int | None, scaling: str,
    correction_factor: float | None, options: Mapping[str, Any],
) -> _Settings:
    check_options(rule, options)
    reserve_share = check_fraction("reserve_share", options.get("reserve_share", 0.0))
    auction_share = check_fraction("auction_share", options.get("auction_share", 0.0))
    bids = options.get("bids")
    if bids is not None and not isinstance(bids, Bids):
        raise TypeError(f"bids must be an auctions.Bids table (got {type(bids).__name__})")
    auction_options = dict(options.get("auction_options") or {})
    if "rng" in auction_options:
        raise TypeError("auction_options must not contain rng; pass rng= to the rule")
    year_opt = options.get("year")
    settings = _Settings(
        scaling=check_choice("scaling", scaling, SCALING),
        reserve_share=reserve_share,
        auction_share=auction_share,
        leftover=check_choice("leftover", options.get("leftover", "hold"), LEFTOVER),
        bids=bids,
        auction_options=auction_options,
        year=(int(firms.base_years[-1]) + 1 if year_opt is None
              else check_nonnegative_int("year", year_opt)),
        imposed=(1.0 if correction_factor is None
                 else check_positive_real("correction_factor", correction_factor)),
    )
    if cap is None and (reserve_share or auction_share or bids is not None):
        which = "reserve_share" if reserve_share else "auction_share" if auction_share else "bids"
        raise ValueError(f"{which} needs a cap (got cap=None)")
    return settings


def allocate(
    rule: str,
    firms: Firms,
    cap: int | None,
    entitlement: ArrayLike,
    *,
    entrant_claim: ArrayLike | None = None,
    scaling: str = "down",
    correction_factor: float | None = None,
    options: Mapping[str, Any],
) -> Allocation:
    """Turn per-firm entitlements into an :class:`Allocation` (steps 1-7 above).

    Parameters
    ----------
    rule : str
        The rule's name, recorded in the result.
    firms : Firms
        The installations.
    cap : int or None
        The cap, already checked; None for a bottom-up total.
    entitlement : array_like of float
        The rule's entitlement per firm (0 where it gives nothing).
    entrant_claim : array_like of float, optional
        What the same rule gives each new entrant when it is served from a
        reserve; defaults to ``entitlement``.
    scaling : {"down", "proportional"}
        How entitlements meet the free budget.
    correction_factor : float, optional
        A factor imposed on every entitlement before the cap is considered.
    options : mapping
        The common keyword options (module docs), unchecked.
    """
    settings = _settings(rule, firms, cap, scaling, correction_factor, options)
    e = np.asarray(entitlement, dtype=np.float64)
    claim = e if entrant_claim is None else np.asarray(entrant_claim, dtype=np.float64)
    new = firms.is_new_entrant
    closed = firms.is_closed(settings.year)
    use_reserve = settings.reserve_share > 0
    raw = (np.where(new, 0.0, e) if use_reserve else e) * settings.imposed
    result = partial(Allocation, rule=rule, firms=firms, year=settings.year,
                     entitlement=np.where(new, claim, e) if use_reserve else e)

    if cap is None:
        permits = round_half_up(raw)
        permits[closed] = 0
        free = int(permits.sum())
        return result(permits=permits, cap=free, correction_factor=settings.imposed, reserved=0)

    split = _split(cap, settings.reserve_share, settings.auction_share)
    permits, factor = _within_budget(raw, split.budget, settings, firms)
    surplus = split.budget - int(permits.sum())
    returned = int(permits[closed].sum())
    permits[closed] = 0
    unassigned = surplus if use_reserve else surplus + returned
    served_total = 0
    if use_reserve:
        pool = split.reserve + returned
        served_total = _serve_entrants(firms, permits, claim * factor, new & ~closed, pool)
        unassigned += pool - served_total

    leftover = settings.leftover
    auctioned = split.auction + (unassigned if leftover == "auction" else 0)
    reserved = 0 if leftover == "auction" else unassigned
    auction = None
    if settings.bids is not None:
        auction = uniform_price(settings.bids, auctioned, rng=options.get("rng"),
                                **settings.auction_options)
    return result(
        permits=permits, cap=cap, correction_factor=factor, reserved=reserved,
        cancelled=reserved if leftover == "cancel" else 0, auctioned=auctioned,
        from_reserve=served_total, returned=returned, auction=auction,
    )


def _within_budget(
    raw: NDArray[np.float64], budget: int, settings: _Settings, firms: Firms,
) -> tuple[NDArray[np.int64], float]:
    """Whole permits for ``raw`` entitlements within ``budget`` (step 4), and the
    correction factor that was applied."""
    total = exact_sum(raw)
    if settings.scaling == "proportional" or total > budget:
        if total == 0:
            return np.zeros(raw.size, dtype=np.int64), settings.imposed
        scaled = largest_remainder(raw, budget, priority=_Rank(firms))
        return scaled, settings.imposed * budget / total
    permits = round_half_up(raw)
    if int(permits.sum()) > budget:
        permits = largest_remainder(raw, budget, priority=_Rank(firms))
    return permits, settings.imposed


def _serve_entrants(
    firms: Firms, permits: NDArray[np.int64], claim: NDArray[np.float64],
    waiting: NDArray[np.bool_], pool: int,
) -> int:
    """Serve the waiting new entrants' claims from ``pool`` in order of entry year
    (then id), first come first served (step 6); add to ``permits``; return the
    permits served."""
    asks = np.where(waiting, round_half_up(np.where(waiting, claim, 0.0)), 0)
    queue = np.flatnonzero(asks > 0)
    if not queue.size:
        return 0
    queue = queue[np.lexsort((firms.id_rank[queue], firms.entry_year[queue]))]
    wanted = asks[queue]
    served = np.clip(pool - (np.cumsum(wanted) - wanted), 0, wanted)
    permits[queue] += served
    return int(served.sum())


class _Rank:
    """Lazy id ranks: computed only if a tie between remainders must be broken."""

    def __init__(self, firms: Firms) -> None:
        self._firms = firms

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[np.int64]:
        return np.asarray(self._firms.id_rank, dtype=dtype)
