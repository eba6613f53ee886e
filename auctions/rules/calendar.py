"""Volume that was not sold, spread over the next auctions of the calendar.

When an EU ETS auction is cancelled its volume is distributed evenly over the
next four auctions of the same platform (Regulation (EU) No 1031/2010,
Articles 7(8) and 9). The UK ETS does the same with unsold allowances, but no
auction may grow beyond 125 % of the volume first proposed for it: the excess
goes to the other of the four auctions that have room, and when none has, to
the market stability mechanism account (Greenhouse Gas Emissions Trading
Scheme Auctioning Regulations 2021, regulation 6(8)). :func:`carry_over` does
both.

Volumes are whole lots. "Evenly" is read as: each of the next auctions
receives the same number of lots, and the lots left over go one each to the
earliest auctions; the regulations do not say how a remainder is placed, so
this is our choice (not confirmed). Excess above a cap is moved to the other
auctions in calendar order, each taking what its cap allows.

References
----------
Commission Regulation (EU) No 1031/2010, Articles 7(8) and 9; EEX, notice of
a cancelled auction ("the volumes that were not auctioned today will be
evenly distributed over the next four EU auctions"). The Greenhouse Gas
Emissions Trading Scheme Auctioning Regulations 2021 (SI 2021/484),
regulation 6(8) and regulation 11(2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from auctions._validate import as_quantities, check_nonnegative_int

__all__ = ["Carryover", "CarryoverRule", "carry_over"]


class Carryover(NamedTuple):
    """Where a volume went: added to each next auction, and what none could take."""

    added: tuple[int, ...]
    volumes: tuple[int, ...]
    overflow: int


def carry_over(
    volume: int,
    planned: Sequence[int],
    *,
    over: int = 4,
    cap: Fraction | float | None = None,
    lot_size: int = 1,
) -> Carryover:
    """Spread ``volume`` evenly over the next ``over`` auctions of ``planned``.

    Parameters
    ----------
    volume : int
        Permits to carry over (cancelled or unsold), a whole number of lots.
    planned : sequence of int
        Volumes first proposed for the next auctions, in calendar order,
        whole lots. Only the first ``over`` take part.
    over : int, default 4
        How many auctions share the volume.
    cap : Fraction or float, optional
        No auction may exceed ``cap`` times its planned volume (1.25 in the
        UK ETS), rounded down to whole lots; None for no cap.
    lot_size : int, default 1
        Permits per lot.

    Returns
    -------
    Carryover
        ``added`` to each of the next auctions (as long as ``planned``; zero
        beyond the first ``over``), the new ``volumes``, and the ``overflow``
        no auction could take. ``sum(added) + overflow == volume``.

    Raises
    ------
    ValueError, TypeError
        For volumes that are not whole lots, a cap below 1, ``over`` below 1,
        or a positive volume with no auction to take it.

    Examples
    --------
    EU ETS: 1,500,000 cancelled allowances over the next four auctions of
    3,000,000 each, in lots of 500:

    >>> carry_over(1_500_000, [3_000_000] * 4, lot_size=500).added
    (375000, 375000, 375000, 375000)

    UK ETS: 3,000,000 unsold, next auctions of 2,000,000; each may grow to
    2,500,000, so 2,000,000 is carried and 1,000,000 overflows:

    >>> out = carry_over(3_000_000, [2_000_000] * 4, cap=1.25, lot_size=500)
    >>> out.volumes, out.overflow
    ((2500000, 2500000, 2500000, 2500000), 1000000)
    """
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1)
    v = check_nonnegative_int("volume", volume)
    n = check_nonnegative_int("over", over, minimum=1)
    base = as_quantities("planned", planned) if len(planned) else np.zeros(0, np.int64)
    for name, values in (("volume", np.array([v])), ("planned", base)):
        bad = values % lot != 0
        if bad.any():
            raise ValueError(
                f"{name} must be whole multiples of lot_size={lot} "
                f"(got {int(values[np.argmax(bad)])})"
            )
    k = min(n, base.size)
    if k == 0:
        if v:
            raise ValueError(f"planned must list at least one auction to carry {v} permits to")
        return Carryover((), (), 0)
    lots = v // lot
    added = np.full(k, lots // k, dtype=np.int64)
    added[: lots % k] += 1
    room = _room(base[:k] // lot, cap)
    added, overflow = _redistribute(added, room)
    full = np.zeros(base.size, dtype=np.int64)
    full[:k] = added * lot
    return Carryover(
        tuple(full.tolist()), tuple((base + full).tolist()), overflow * lot
    )


def _room(planned_lots: np.ndarray[tuple[int], np.dtype[np.int64]],
          cap: Fraction | float | None) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    """Lots each auction may still take under the cap."""
    if cap is None:
        return np.full(planned_lots.size, np.iinfo(np.int64).max // 4, dtype=np.int64)
    if isinstance(cap, bool) or not isinstance(cap, Fraction | float | int):
        raise TypeError(f"cap must be a number >= 1 (got {cap!r})")
    if not isinstance(cap, Fraction) and not math.isfinite(cap):
        raise ValueError(f"cap must be a finite number >= 1 (got {cap!r})")
    c = cap if isinstance(cap, Fraction) else Fraction(repr(float(cap)))
    if not c >= 1:
        raise ValueError(f"cap must be >= 1 (got {cap!r})")
    return np.array([math.floor(c * int(p)) - int(p) for p in planned_lots], dtype=np.int64)


def _redistribute(
    added: np.ndarray[tuple[int], np.dtype[np.int64]],
    room: np.ndarray[tuple[int], np.dtype[np.int64]],
) -> tuple[np.ndarray[tuple[int], np.dtype[np.int64]], int]:
    """Cut each addition to its room; give the excess to the others in calendar order."""
    kept = np.minimum(added, room)
    excess = int((added - kept).sum())
    spare = room - kept
    take = np.clip(excess - (np.cumsum(spare) - spare), 0, spare)
    return kept + take, excess - int(take.sum())


@dataclass(frozen=True, kw_only=True)
class CarryoverRule:
    """A programme's rule for volume not sold: how many auctions share it, under what cap.

    Parameters
    ----------
    over : int, default 4
        How many of the next auctions share the volume.
    cap : float, optional
        The most an auction may grow to, as a multiple of its planned volume.
    overflow_to : str, default ""
        Where volume no auction can take goes (for the record).

    Examples
    --------
    Half of 1,000 goes to each of the next two auctions; the first may grow by
    only 250 (200 in lots of 100), so the rest goes to the second:

    >>> rule = CarryoverRule(over=2, cap=1.25, overflow_to="reserve")
    >>> rule.apply(1000, [1000, 4000, 1000], lot_size=100)
    Carryover(added=(200, 800, 0), volumes=(1200, 4800, 1000), overflow=0)
    """

    over: int = 4
    cap: float | None = None
    overflow_to: str = ""

    def __post_init__(self) -> None:
        check_nonnegative_int("over", self.over, minimum=1)
        if self.cap is not None:
            _room(np.zeros(0, dtype=np.int64), self.cap)

    def apply(self, volume: int, planned: Sequence[int], *, lot_size: int = 1) -> Carryover:
        """Spread ``volume`` over ``planned`` under this rule (see :func:`carry_over`)."""
        return carry_over(volume, planned, over=self.over, cap=self.cap, lot_size=lot_size)
