"""Compliance: surrendering permits and offsets at the end of a period, and penalties.

At the compliance deadline each firm must surrender one unit per tonne of
verified emissions (its *obligation*, plus anything still owed from an
earlier shortfall). :func:`surrender` settles every firm at once:

1. **Offsets** (certified emission reductions, CCER/CER) count up to
   ``offset_limit`` of the obligation, rounded down to whole units, and at
   least ``local_share`` of the offsets used must come from local projects.
   Chongqing: 10 % of the allowances to be surrendered, 60 % of them
   generated in Chongqing.
2. **Permits** held cover what remains.
3. **Borrowing**, where allowed, takes up to ``borrowing_limit`` of next
   period's allocation.
4. Whatever is still uncovered is the **shortfall**: it costs a penalty per
   tonne (:class:`PenaltyRule`) and may have to be made good in the next
   period.
5. Permits not surrendered are **banked** into the next period when banking
   is allowed, and expire otherwise.

With ``use_offsets="first"`` (the default) offsets are surrendered before
permits, as a firm does when offsets are the cheaper unit; with ``"last"``
permits go first and offsets only cover what permits cannot.

Before the deadline, Chongqing also requires each firm to keep at least 50 %
of the permits it received free: :func:`retention_limit` gives the most each
firm may sell, which :func:`allocation.market.equilibrium` accepts as
``max_sale``.

Everything here counts whole units: emissions are verified whole tonnes
(the EU rounds reported emissions to whole tonnes), permits and offsets are
whole, and shares are applied exactly (``0.1`` means one tenth) and rounded
down.

Penalties
---------
EU ETS (:data:`EU_ETS`)
    EUR 100 per tonne not covered by 30 April, and the missing allowances
    must still be surrendered the following year (Directive 2003/87/EC,
    Article 16(3)); EUR 40 in 2005-2007 (Article 16(4),
    :data:`EU_ETS_PHASE_1`). Since 2013 the EUR 100 rises with the European
    index of consumer prices: pass the indexed figure as ``per_tonne``.
US Acid Rain Program (:data:`ACID_RAIN`)
    USD 2,000 per ton in excess of the allowances held, adjusted for
    inflation by the Consumer Price Index, and the excess offset by
    allowances deducted from the following year's allocation (Clean Air Act
    section 411, 42 U.S.C. 7651j(a)-(c); 40 CFR part 77).
"Three times" (:data:`THREE_FOR_ONE`, :data:`THREE_TIMES_PRICE`)
    Seed 003 says the United States makes a non-compliant firm "pay a fine
    three times the price of allowances". The US rules that have a factor
    of three are allowance deductions, not fines: the NOx Budget Trading
    Program (40 CFR 96.54(d)) and RGGI (Model Rule, XX-6.5(d)) deduct three
    allowances of a later period for each ton of excess emissions.
    :data:`THREE_FOR_ONE` is that rule; :data:`THREE_TIMES_PRICE` is the
    seed's wording (a fine of three times the permit price), kept for
    comparison. At a permit price ``p`` the two cost about the same
    (``3 p`` a tonne), but a deduction also tightens the next period's cap.

References
----------
Directive 2003/87/EC of the European Parliament and of the Council of 13
October 2003, Article 16(3)-(4) (as amended by Directive 2009/29/EC).
Commission Implementing Regulation (EU) 2018/2066, Article 72 (reported
emissions rounded to whole tonnes).
Clean Air Act Amendments of 1990, Pub. L. 101-549, section 411 (42 U.S.C.
7651j); 40 CFR part 77 (excess emissions).
40 CFR 96.54(d) (NOx Budget Trading Program); RGGI Model Rule, subpart
XX-6.5(d).
Chongqing Municipal Bureau of Ecology and Environment, 重庆市碳排放配额管理细则
(Detailed Rules for the Administration of Carbon Emission Allowances), as
summarised in seed 003, section 4.1.3: CCER up to 10 % of the allowances to
be surrendered, 60 % of it from Chongqing; at least 50 % of the free
allowances retained until the deadline.
Ellerman, A. D., Convery, F. J. and de Perthuis, C. (2010). *Pricing
Carbon*, chapter 8 (banking, and borrowing within a trading period).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.rounding import exact_sum
from auctions._validate import (
    as_quantities,
    check_choice,
    check_nonnegative_int,
    check_price,
    check_share,
)

__all__ = [
    "ACID_RAIN",
    "EU_ETS",
    "EU_ETS_PHASE_1",
    "NO_PENALTY",
    "PENALTY_RULES",
    "THREE_FOR_ONE",
    "THREE_TIMES_PRICE",
    "NextPeriod",
    "PenaltyRule",
    "Surrender",
    "balances",
    "next_period",
    "respects_limits",
    "retention_limit",
    "surrender",
]

IntArray = NDArray[np.int64]


@dataclass(frozen=True, kw_only=True)
class PenaltyRule:
    """What a tonne of emissions not covered at the deadline costs.

    Attributes
    ----------
    per_tonne : float
        Money per tonne short, >= 0.
    price_multiple : float
        Money per tonne short as a multiple of the permit price, >= 0 (needs
        the price).
    make_good : int
        Units to surrender in the next period for each tonne short: 1 when
        the shortfall itself remains owed (EU, Acid Rain), 3 for a
        three-for-one deduction (NOx Budget Program, RGGI), 0 when paying
        settles it.
    name : str
        Where the rule comes from.
    """

    per_tonne: float = 0.0
    price_multiple: float = 0.0
    make_good: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "per_tonne", check_price("per_tonne", self.per_tonne))
        object.__setattr__(
            self, "price_multiple", check_price("price_multiple", self.price_multiple)
        )
        object.__setattr__(self, "make_good", check_nonnegative_int("make_good", self.make_good))

    def rate(self, price: float | None = None) -> float:
        """Money per tonne short at permit price ``price``."""
        if self.price_multiple:
            if price is None:
                raise ValueError(
                    f"price is needed for a penalty of {self.price_multiple!r} times "
                    "the permit price (got None)"
                )
            return self.per_tonne + self.price_multiple * price
        return self.per_tonne


#: No penalty and nothing to make good.
NO_PENALTY: Final = PenaltyRule(name="none")
#: Directive 2003/87/EC, Article 16(3): EUR 100 a tonne, shortfall still owed.
EU_ETS: Final = PenaltyRule(
    per_tonne=100.0, make_good=1, name="EU ETS, Directive 2003/87/EC Article 16(3)"
)
#: Directive 2003/87/EC, Article 16(4): EUR 40 a tonne in 2005-2007.
EU_ETS_PHASE_1: Final = PenaltyRule(
    per_tonne=40.0, make_good=1, name="EU ETS 2005-2007, Directive 2003/87/EC Article 16(4)"
)
#: Clean Air Act section 411: USD 2,000 a ton (1990 dollars, CPI-adjusted) and an offset.
ACID_RAIN: Final = PenaltyRule(
    per_tonne=2000.0, make_good=1, name="US Acid Rain Program, 42 U.S.C. 7651j"
)
#: Three allowances of a later period deducted per ton short (40 CFR 96.54(d), RGGI).
THREE_FOR_ONE: Final = PenaltyRule(
    make_good=3, name="three-for-one deduction, 40 CFR 96.54(d) and RGGI Model Rule XX-6.5(d)"
)
#: Seed 003's wording of the US rule: a fine of three times the permit price.
THREE_TIMES_PRICE: Final = PenaltyRule(
    price_multiple=3.0, name="fine of three times the permit price (seed 003)"
)
#: Penalty rules by name, for configs and sweeps.
PENALTY_RULES: Final[dict[str, PenaltyRule]] = {
    "none": NO_PENALTY,
    "eu_ets": EU_ETS,
    "eu_ets_phase_1": EU_ETS_PHASE_1,
    "acid_rain": ACID_RAIN,
    "three_for_one": THREE_FOR_ONE,
    "three_times_price": THREE_TIMES_PRICE,
}


# ---------------------------------------------------------------- helpers
def _share(name: str, value: object) -> Fraction:
    """A share in [0, 1] as an exact fraction (``0.1`` is one tenth)."""
    if type(value) is not bool and isinstance(value, numbers.Real) and value == 0:
        return Fraction(0)
    return check_share(name, value)


def _per_firm(name: str, value: ArrayLike, n: int) -> IntArray:
    """Whole numbers >= 0, one per firm; a single number applies to every firm."""
    if np.ndim(value) == 0:
        count = check_nonnegative_int(name, value)
        if count >= 2**63:
            raise ValueError(f"{name} must be less than 2**63 (got {count})")
        return np.full(n, count, dtype=np.int64)
    arr = as_quantities(name, value)
    if len(arr) != n:
        raise ValueError(f"{name} must have one entry per firm (got {len(arr)} for {n} firms)")
    return arr


def _check_int64(name: str, a: IntArray, b: IntArray, factor: int) -> None:
    """Raise unless ``a + b``, and that times ``factor``, fit in int64 for every firm."""
    if (int(a.max(initial=0)) + int(b.max(initial=0))) * max(factor, 1) < 2**63:
        return
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        if (x + y) * max(factor, 1) >= 2**63:
            raise ValueError(f"{name} must be less than 2**63 permits, also when multiplied "
                             f"by make_good={factor} (got {x} + {y} at index {i})")


def _times(values: IntArray, share: Fraction, *, up: bool = False,
           at_most: IntArray | None = None) -> IntArray:
    """``values * share`` rounded down (or up), exactly; no more than ``at_most``
    where given (a share above one may give more than int64 holds)."""
    p, q = share.numerator, share.denominator
    if values.size and (int(values.max()) * p >= 2**62 or q >= 2**62):
        exact = [(int(v) * p + (q - 1 if up else 0)) // q for v in values.tolist()]
        if at_most is not None:
            exact = [min(x, int(m)) for x, m in zip(exact, at_most.tolist(), strict=True)]
        return np.array(exact, dtype=np.int64)
    if at_most is not None:
        return np.minimum(_times(values, share, up=up), at_most)
    if up:
        return (values * p + (q - 1)) // q
    return (values * p) // q


def _frozen(arr: NDArray[Any]) -> NDArray[Any]:
    out = np.array(arr, copy=True)
    out.flags.writeable = False
    return out


# ------------------------------------------------------------------ result
@dataclass(frozen=True, kw_only=True, eq=False)
class Surrender:
    """How each firm met (or missed) its obligation at the deadline.

    For every firm ``permits_surrendered + offsets_surrendered + borrowed +
    shortfall == obligation`` and ``permits_surrendered + banked + expired ==
    holdings`` (:func:`balances` checks both).

    Attributes
    ----------
    obligation : ndarray of int64
        Units due: verified emissions plus anything owed from before.
    holdings : ndarray of int64
        Permits held at the deadline.
    permits_surrendered : ndarray of int64
    offsets_surrendered : ndarray of int64
        Offsets used, of which ``local_offsets_surrendered`` from local
        projects.
    local_offsets_surrendered : ndarray of int64
    offsets_left : ndarray of int64
        Offsets held and not used.
    borrowed : ndarray of int64
        Permits taken from next period's allocation.
    shortfall : ndarray of int64
        Tonnes not covered.
    penalty : ndarray of float64
        Money owed for the shortfall.
    owed_next : ndarray of int64
        Units to surrender on top of next period's emissions.
    banked : ndarray of int64
        Permits carried into the next period.
    expired : ndarray of int64
        Permits lost because banking is not allowed.
    offset_limit, local_share : Fraction
        The limits applied.
    rule : PenaltyRule
        The penalty rule applied.
    """

    obligation: IntArray
    holdings: IntArray
    permits_surrendered: IntArray
    offsets_surrendered: IntArray
    local_offsets_surrendered: IntArray
    offsets_left: IntArray
    borrowed: IntArray
    shortfall: IntArray
    penalty: NDArray[np.float64]
    owed_next: IntArray
    banked: IntArray
    expired: IntArray
    offset_limit: Fraction
    local_share: Fraction
    rule: PenaltyRule

    def __post_init__(self) -> None:
        for name in (
            "obligation",
            "holdings",
            "permits_surrendered",
            "offsets_surrendered",
            "local_offsets_surrendered",
            "offsets_left",
            "borrowed",
            "shortfall",
            "penalty",
            "owed_next",
            "banked",
            "expired",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def compliant(self) -> NDArray[np.bool_]:
        """Whether each firm covered its whole obligation."""
        return np.asarray(self.shortfall == 0, dtype=np.bool_)

    @property
    def total_penalty(self) -> float:
        """All penalties, in money."""
        return exact_sum(self.penalty)

    def to_frame(self) -> Any:
        """One row per firm as a :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        return pd.DataFrame(
            {
                name: getattr(self, name)
                for name in (
                    "obligation",
                    "holdings",
                    "permits_surrendered",
                    "offsets_surrendered",
                    "local_offsets_surrendered",
                    "borrowed",
                    "shortfall",
                    "penalty",
                    "owed_next",
                    "banked",
                    "expired",
                )
            }
        )

    def __repr__(self) -> str:
        return (
            f"Surrender(n_firms={len(self.obligation)}, "
            f"shortfall={int(self.shortfall.sum())}, total_penalty={self.total_penalty!r}, "
            f"banked={int(self.banked.sum())})"
        )


# --------------------------------------------------------------- surrender
def surrender(
    emissions: ArrayLike,
    holdings: ArrayLike,
    *,
    offsets: ArrayLike = 0,
    local_offsets: ArrayLike | None = None,
    offset_limit: float = 0.0,
    local_share: float = 0.0,
    owed: ArrayLike = 0,
    penalty: PenaltyRule = NO_PENALTY,
    price: float | None = None,
    banking: bool = True,
    borrowing_limit: float = 0.0,
    next_allocation: ArrayLike | None = None,
    use_offsets: Literal["first", "last"] = "first",
) -> Surrender:
    """Settle every firm's obligation at the end of a compliance period.

    Parameters
    ----------
    emissions : array_like of int
        Verified emissions, whole tonnes >= 0.
    holdings : array_like of int
        Permits each firm holds at the deadline (including banked ones).
    offsets : int or array_like of int, default 0
        Offset credits each firm holds.
    local_offsets : int or array_like of int, optional
        How many of ``offsets`` come from local projects (default: all).
    offset_limit : float in [0, 1], default 0
        Offsets may cover at most this share of the obligation (Chongqing:
        0.1), rounded down to whole units.
    local_share : float in [0, 1], default 0
        At least this share of the offsets used must be local (Chongqing:
        0.6).
    owed : int or array_like of int, default 0
        Units still due from an earlier period (a previous ``owed_next``).
    penalty : PenaltyRule, default NO_PENALTY
        What a tonne short costs (:data:`EU_ETS`, :data:`ACID_RAIN`,
        :data:`THREE_FOR_ONE`, ...).
    price : float, optional
        The permit price, for penalties that are a multiple of it.
    banking : bool, default True
        Whether permits not surrendered carry over; if not, they expire.
    borrowing_limit : float in [0, 1], default 0
        Share of ``next_allocation`` that may be surrendered now.
    next_allocation : int or array_like of int, optional
        Next period's allocation, needed when ``borrowing_limit > 0``.
    use_offsets : {"first", "last"}, default "first"
        Surrender offsets before permits, or only for what permits cannot
        cover.

    Returns
    -------
    Surrender

    Raises
    ------
    ValueError, TypeError
        For negative or fractional quantities, shares outside [0, 1], more
        local offsets than offsets, borrowing without a next allocation, or
        a price-based penalty without a price.

    References
    ----------
    Directive 2003/87/EC, Articles 12(3) and 16(3); 42 U.S.C. 7651j;
    Chongqing allowance rules as summarised in seed 003, section 4.1.3.

    Examples
    --------
    Chongqing's limits: offsets up to 10 % of the obligation, 60 % of them
    local. A firm emitting 1,000 t with 850 permits, 80 local and 100 other
    offsets may use 100 offsets (60 local or more): 80 local and 20 others.

    >>> s = surrender([1000], [850], offsets=[180], local_offsets=[80],
    ...               offset_limit=0.1, local_share=0.6)
    >>> (s.offsets_surrendered.tolist(), s.local_offsets_surrendered.tolist(),
    ...  s.permits_surrendered.tolist(), s.banked.tolist())
    ([100], [80], [850], [0])
    >>> s.shortfall.tolist()
    [50]

    Under the EU rule the 50 t short cost EUR 100 each and stay owed:

    >>> s = surrender([1000], [850], offsets=[180], local_offsets=[80],
    ...               offset_limit=0.1, local_share=0.6, penalty=EU_ETS)
    >>> s.penalty.tolist(), s.owed_next.tolist()
    ([5000.0], [50])
    """
    e = as_quantities("emissions", emissions)
    n = len(e)
    held = _per_firm("holdings", holdings, n)
    due = _per_firm("owed", owed, n)
    credits = _per_firm("offsets", offsets, n)
    local = (
        credits.copy() if local_offsets is None else _per_firm("local_offsets", local_offsets, n)
    )
    over = local > credits
    if over.any():
        i = int(np.argmax(over))
        raise ValueError(
            f"local_offsets must not exceed offsets (got {local[i]} > {credits[i]} at index {i})"
        )
    limit_share = _share("offset_limit", offset_limit)
    local_fraction = _share("local_share", local_share)
    borrow_share = _share("borrowing_limit", borrowing_limit)
    if borrow_share > 0 and next_allocation is None:
        raise ValueError("next_allocation is needed when borrowing_limit > 0 (got None)")
    nxt = (np.zeros(n, dtype=np.int64) if next_allocation is None
           else _per_firm("next_allocation", next_allocation, n))
    if borrow_share == 0:
        nxt = np.zeros(n, dtype=np.int64)
    if not isinstance(penalty, PenaltyRule):
        raise TypeError(f"penalty must be a PenaltyRule (got {penalty!r})")
    check_price("price", price, allow_none=True)
    rate = penalty.rate(price)
    if not isinstance(banking, bool):
        raise TypeError(f"banking must be True or False (got {banking!r})")
    order = check_choice("use_offsets", use_offsets, ("first", "last"))
    _check_int64("emissions + owed", e, due, penalty.make_good)

    obligation = e + due
    # Offsets: local first, then others as far as the local share allows.
    cap = _times(obligation, limit_share)
    if order == "last":
        cap = np.minimum(cap, np.maximum(obligation - held, 0))
    used_local = np.minimum(local, cap)
    other = credits - local
    room = cap - used_local
    if local_fraction == 0:
        allowed_other = room
    else:
        allowed_other = _times(used_local, (1 - local_fraction) / local_fraction, at_most=room)
    used_other = np.minimum(other, allowed_other)
    used_offsets = used_local + used_other

    remaining = obligation - used_offsets
    used_permits = np.minimum(held, remaining)
    remaining = remaining - used_permits
    borrowed = np.minimum(_times(nxt, borrow_share), remaining)
    shortfall = remaining - borrowed
    left = held - used_permits
    return Surrender(
        obligation=obligation,
        holdings=held,
        permits_surrendered=used_permits,
        offsets_surrendered=used_offsets,
        local_offsets_surrendered=used_local,
        offsets_left=credits - used_offsets,
        borrowed=borrowed,
        shortfall=shortfall,
        penalty=shortfall * rate,
        owed_next=shortfall * penalty.make_good,
        banked=left if banking else np.zeros(n, dtype=np.int64),
        expired=np.zeros(n, dtype=np.int64) if banking else left,
        offset_limit=limit_share,
        local_share=local_fraction,
        rule=penalty,
    )


# ---------------------------------------------------------------- checkers
def balances(result: Surrender) -> bool:
    """Whether every unit is accounted for.

    ``permits + offsets + borrowed + shortfall == obligation`` and
    ``permits surrendered + banked + expired == holdings``, firm by firm,
    everything >= 0.
    """
    r = result
    covered = r.permits_surrendered + r.offsets_surrendered + r.borrowed + r.shortfall
    kept = r.permits_surrendered + r.banked + r.expired
    fields = (
        r.permits_surrendered,
        r.offsets_surrendered,
        r.borrowed,
        r.shortfall,
        r.banked,
        r.expired,
        r.offsets_left,
    )
    return bool(
        np.array_equal(covered, r.obligation)
        and np.array_equal(kept, r.holdings)
        and all((x >= 0).all() for x in fields)
    )


def respects_limits(result: Surrender) -> bool:
    """Whether offsets stayed within the offset limit and the local share.

    Offsets used ``<= offset_limit * obligation`` and local offsets used
    ``>= local_share * offsets used``, both exactly.
    """
    r = result
    used = r.offsets_surrendered
    ceiling_ok = (
        used * r.offset_limit.denominator <= r.obligation * r.offset_limit.numerator
    ).all()
    local_ok = (
        r.local_offsets_surrendered * r.local_share.denominator >= used * r.local_share.numerator
    ).all()
    return bool(ceiling_ok and local_ok)


# --------------------------------------------------------------- retention
def retention_limit(
    free: ArrayLike, holdings: ArrayLike | None = None, *, share: float = 0.5
) -> IntArray:
    """The most each firm may sell and still retain ``share`` of its free permits.

    A firm must keep at least ``ceil(share * free)`` permits until the
    compliance deadline (Chongqing: 50 % of the allowances received free),
    so it may sell ``holdings - ceil(share * free)``, or nothing.

    Parameters
    ----------
    free : array_like of int
        Permits each firm received free this period.
    holdings : array_like of int, optional
        Permits each firm holds now (default: ``free``).
    share : float in [0, 1], default 0.5
        Share of the free permits to retain.

    Returns
    -------
    ndarray of int64
        Pass it to :func:`allocation.market.equilibrium` as ``max_sale``.

    References
    ----------
    Chongqing allowance rules, as summarised in seed 003, section 4.1.3.

    Examples
    --------
    >>> retention_limit([1000, 801, 400], [1000, 900, 150]).tolist()
    [500, 499, 0]
    """
    f = as_quantities("free", free)
    held = f if holdings is None else _per_firm("holdings", holdings, len(f))
    keep = _times(f, _share("share", share), up=True)
    out: IntArray = np.maximum(held - keep, 0).astype(np.int64)
    return out


class NextPeriod(NamedTuple):
    """What a firm carries into the next period."""

    holdings: IntArray
    owed: IntArray


def next_period(result: Surrender, allocation: ArrayLike) -> NextPeriod:
    """Holdings and obligations carried into the next period.

    Next period a firm holds its banked permits plus its new allocation
    minus what it borrowed from it, and owes ``owed_next`` on top of its
    emissions.

    Examples
    --------
    >>> s = surrender([120, 80], [100, 100], penalty=EU_ETS)
    >>> carry = next_period(s, [90, 90])
    >>> carry.holdings.tolist(), carry.owed.tolist()
    ([90, 110], [20, 0])
    >>> surrender([70, 80], carry.holdings, owed=carry.owed).shortfall.tolist()
    [0, 0]
    """
    alloc = _per_firm("allocation", allocation, len(result.obligation))
    short = alloc < result.borrowed
    if short.any():
        i = int(np.argmax(short))
        raise ValueError(
            f"allocation must cover what was borrowed from it "
            f"(got {alloc[i]} < {result.borrowed[i]} at index {i})"
        )
    return NextPeriod(result.banked + alloc - result.borrowed, result.owed_next.copy())
