"""Auction rules as data: one frozen record per programme, one clearing path for all.

A real programme's auction format is a choice of the clearing engine's options
(price rule, tie rule, lots, reserve price, bidder limit, what happens when
bids fall short) plus a few checks on the bids it accepts (prices in whole
cents, a minimum quantity per bid). :class:`AuctionRules` holds those choices;
:meth:`AuctionRules.clear` runs them through :func:`auctions.uniform_price`,
with two options of the engine that some programmes need:

- per-bidder purchase limits combined with the rules' common
  ``bidder_limit`` (the engine's ``bidder_limit`` as a mapping), removing
  each bidder's lowest-priced lots first, the last submitted first among
  equal prices;
- tie shares counted per bidder rather than per bid
  (``pool_tied_bids=True``, the engine's ``ration_by="bidder"``): a bidder's
  bids at the same price are one quantity for the tie rule, and its share
  fills them in submission order.

The result always refers to the bids as submitted, so every invariant checker
of :mod:`auctions.invariants` applies unchanged.

Two helpers shared by the programme schedules live here too:
:func:`escalate` (a price raised by a percentage every year, rounded to the
cent each year, as RGGI's and California's schedules are) and
:func:`weighted_average_price` (a reserve price taken from the secondary
market, as in Guangdong and Shanghai).

Examples
--------
>>> from auctions import Bids
>>> rules = AuctionRules(name="demo", price_rule="last_accepted", tie_break="pro_rata",
...                      lot_size=10, reserve_price=5.0)
>>> bids = Bids(bidder=["a", "b", "c"], price=[9.0, 7.0, 4.0], quantity=[60, 60, 60])
>>> r = rules.clear(bids, 100)
>>> r.clearing_price, r.awarded.tolist()
(7.0, [60, 40, 0])
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._exact import DECIMAL
from auctions._validate import (
    as_prices,
    as_quantities,
    check_choice,
    check_nonnegative_int,
    check_price,
    check_share,
    same_length,
)
from auctions.bids import Bids, Offers
from auctions.clearing import (
    ON_UNDERSUBSCRIBED,
    PRICE_RULES,
    TIE_BREAKS,
    ClearingOptions,
    PriceRule,
    TieBreak,
)
from auctions.result import AuctionResult
from auctions.sealed_bid import uniform_price

__all__ = ["AuctionRules", "decimal_of", "escalate", "escalate_by_year", "weighted_average_price"]

_CENT = Decimal("0.01")


def decimal_of(name: str, value: object) -> Decimal:
    """``value`` (an int, float, str or Decimal) as the decimal it was written as.

    Examples
    --------
    >>> decimal_of("rate", 0.025), decimal_of("price", "13.00")
    (Decimal('0.025'), Decimal('13.00'))
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number (got {value!r})")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, numbers.Integral):
        result = Decimal(int(value))
    elif isinstance(value, numbers.Real):
        result = Decimal(repr(float(value)))
    elif isinstance(value, str):
        try:
            result = Decimal(value)
        except ArithmeticError:
            raise TypeError(f"{name} must be a number (got {value!r})") from None
    else:
        raise TypeError(f"{name} must be a number (got {value!r})")
    if not result.is_finite():
        raise ValueError(f"{name} must be finite (got {value!r})")
    return result


def escalate(start: float | str | Decimal, increments: Iterable[object]) -> float:
    """``start`` raised by each increment in turn, rounded to the cent (halves up) each time.

    Parameters
    ----------
    start : float, str or Decimal
        The price in the first year, >= 0.
    increments : iterable of numbers
        The yearly increase as a share (0.025 for 2.5 %), one per year after
        the first; each > -1.

    Returns
    -------
    float

    Examples
    --------
    RGGI's minimum reserve price, 2.00 in 2014 rising 2.5 % a year
    (2.05, 2.1025 -> 2.10, 2.1525 -> 2.15, 2.20375 -> 2.20, 2.255 -> 2.26):

    >>> escalate("2.00", [0.025] * 5)
    2.26

    California's auction reserve price rises 5 % plus inflation each year:

    >>> escalate(10.0, [0.05 + 0.02])
    10.7
    """
    price = decimal_of("start", start)
    if price < 0:
        raise ValueError(f"start must be >= 0 (got {start!r})")
    with decimal.localcontext(DECIMAL):
        for i, step in enumerate(increments):
            rate = decimal_of(f"increments[{i}]", step)
            if rate <= -1:
                raise ValueError(f"increments[{i}] must be > -1 (got {step!r})")
            price = (price * (1 + rate)).quantize(_CENT)
        result = float(price.quantize(_CENT))
    if not math.isfinite(result):
        raise ValueError(f"the escalated price is beyond the largest float (from {start!r})")
    return result


def escalate_by_year(
    start: float,
    first_year: int,
    year: int,
    rates: Mapping[int, float],
    *,
    plus: float = 0.0,
    name: str = "rates",
) -> float:
    """``start`` in ``first_year``, raised by ``plus + rates[y]`` in each later year to ``year``.

    Parameters
    ----------
    start : float
        The price in ``first_year``.
    first_year, year : int
        ``year >= first_year``.
    rates : mapping from year to float
        The variable part of each year's increase (inflation), for every
        year after ``first_year`` up to ``year``.
    plus : float, default 0
        The fixed part of each year's increase (California's 5 %).
    name : str, default "rates"
        The argument's name in error messages.

    Raises
    ------
    ValueError
        For ``year < first_year`` or a year missing from ``rates``.

    Examples
    --------
    >>> escalate_by_year(10.0, 2012, 2014, {2013: 0.02, 2014: 0.02}, plus=0.05)
    11.45
    """
    y = check_nonnegative_int("year", year)
    if y < first_year:
        raise ValueError(f"year must be >= {first_year} (got {y})")
    years = range(first_year + 1, y + 1)
    missing = [k for k in years if k not in rates]
    if missing:
        raise ValueError(
            f"{name} must give the change for every year from {first_year + 1} to {y} "
            f"(missing {missing[0]})"
        )
    return escalate(start, [plus + rates[k] for k in years])


def weighted_average_price(
    prices: ArrayLike,
    volumes: ArrayLike,
    *,
    multiplier: float = 1.0,
    cap: float | None = None,
) -> float:
    """The volume-weighted average of ``prices``, times ``multiplier``, to the cent.

    The reserve price of an auction set from the secondary market: Guangdong
    (the average of the three calendar months before the notice), Shanghai
    (1.2 times the average of a stated period, at most 42 yuan in 2017 and
    2018). Rounded to the nearest cent, halves up (the notices do not say how
    the average is rounded), then capped.

    Parameters
    ----------
    prices : sequence of float
        Trade prices, >= 0.
    volumes : sequence of int
        Volume traded at each price, >= 0, not all zero.
    multiplier : float, default 1.0
        Applied to the average, > 0.
    cap : float, optional
        The highest price the result may take.

    Returns
    -------
    float

    Examples
    --------
    >>> weighted_average_price([30.0, 36.0], [100, 200])
    34.0
    >>> weighted_average_price([30.0, 36.0], [100, 200], multiplier=1.2, cap=40.0)
    40.0
    """
    p = as_prices("prices", prices)
    v = as_quantities("volumes", volumes)
    same_length(prices=p, volumes=v)
    total = int(v.sum())
    if total == 0:
        raise ValueError("volumes must not all be zero")
    m = check_price("multiplier", multiplier)
    assert m is not None
    if m == 0:
        raise ValueError("multiplier must be > 0 (got 0.0)")
    with decimal.localcontext(DECIMAL):
        value = sum(
            (Decimal(repr(float(x))) * int(q) for x, q in zip(p, v, strict=True)), Decimal(0)
        )
        average = value / total * decimal_of("multiplier", m)
        result = float(average.quantize(_CENT))
    if not math.isfinite(result):
        raise ValueError(f"the average price times multiplier={m!r} is beyond the largest float")
    if cap is not None:
        limit = check_price("cap", cap)
        assert limit is not None
        result = min(result, limit)
    return result


@dataclass(frozen=True, kw_only=True)
class AuctionRules:
    """The auction format of one programme: the engine's options and the bid checks.

    Parameters
    ----------
    name : str
        The programme.
    price_rule : {"last_accepted", "first_rejected"}
        See :func:`auctions.clearing.clear`.
    tie_break : {"pro_rata", "random", "time"}
        How bids at the marginal price share what is left.
    lot_size : int, default 1
        Permits per lot; bids and supply must be whole lots.
    reserve_price : float, default 0
        The default reserve price (a schedule's value is passed to
        :meth:`clear` instead where it changes by year).
    bidder_limit : float, optional
        The most any bidder may win, as a share of the supply, in (0, 1].
        :meth:`clear` combines it with the other purchase limits into one
        limit per bidder; either way a bidder's lowest-priced lots go first,
        the last submitted first among bids at one price.
    on_undersubscribed : {"sell", "cancel"}, default "sell"
        What happens when valid bids fall short of the supply.
    pool_tied_bids : bool, default False
        Count tie shares per bidder: a bidder's bids at one price are one
        quantity for the tie rule (the California-Quebec procedure shares
        the remaining lots between bidders); the engine's
        ``ration_by="bidder"``.
    min_bid_quantity : int, optional
        The smallest quantity a bid may ask for (zero-quantity rows are
        allowed and ignored by the engine).
    price_decimals : int, optional
        Bid prices must have at most this many decimals (2: whole cents).
    sources : tuple of str
        The texts the rules come from.

    Raises
    ------
    ValueError, TypeError
        For an unknown rule, a lot size below 1, a negative reserve price, a
        bidder limit outside (0, 1], or a negative decimals count.

    Examples
    --------
    >>> from dataclasses import replace
    >>> rules = AuctionRules(name="demo", price_rule="first_rejected", tie_break="random")
    >>> replace(rules, lot_size=1000).options(rng=1)["lot_size"]
    1000
    """

    name: str
    price_rule: PriceRule
    tie_break: TieBreak
    lot_size: int = 1
    reserve_price: float = 0.0
    bidder_limit: float | None = None
    on_undersubscribed: Literal["sell", "cancel"] = "sell"
    pool_tied_bids: bool = False
    min_bid_quantity: int | None = None
    price_decimals: int | None = None
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_choice("price_rule", self.price_rule, PRICE_RULES)
        check_choice("tie_break", self.tie_break, TIE_BREAKS)
        check_choice("on_undersubscribed", self.on_undersubscribed, ON_UNDERSUBSCRIBED)
        check_nonnegative_int("lot_size", self.lot_size, minimum=1, int64=True)
        check_price("reserve_price", self.reserve_price)
        if self.bidder_limit is not None:
            check_share("bidder_limit", self.bidder_limit)
        if self.min_bid_quantity is not None:
            check_nonnegative_int("min_bid_quantity", self.min_bid_quantity, minimum=1)
        if self.price_decimals is not None:
            check_nonnegative_int("price_decimals", self.price_decimals)

    def options(self, **overrides: Unpack[ClearingOptions]) -> ClearingOptions:
        """The keyword options for :func:`auctions.uniform_price`, with ``overrides``."""
        options = ClearingOptions(
            reserve_price=self.reserve_price,
            price_rule=self.price_rule,
            tie_break=self.tie_break,
            bidder_limit=self.bidder_limit,
            lot_size=self.lot_size,
            on_undersubscribed=self.on_undersubscribed,
            ration_by="bidder" if self.pool_tied_bids else "bid",
        )
        options.update(overrides)
        return options

    def check_bids(self, bids: Bids) -> None:
        """Raise unless every bid meets the programme's quantity and price rules."""
        if not isinstance(bids, Bids):
            raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
        if self.min_bid_quantity is not None:
            small = (bids.quantity > 0) & (bids.quantity < self.min_bid_quantity)
            if small.any():
                i = int(np.argmax(small))
                raise ValueError(
                    f"quantity must be >= {self.min_bid_quantity} per bid under the "
                    f"{self.name} rules (got {int(bids.quantity[i])} at index {i})"
                )
        if self.price_decimals is not None:
            _check_decimals(bids.price, self.price_decimals, self.name)

    def clear(
        self,
        bids: Bids,
        supply: int | Offers,
        *,
        limits: Mapping[Any, int] | None = None,
        **overrides: Unpack[ClearingOptions],
    ) -> AuctionResult:
        """Clear ``bids`` against ``supply`` under these rules.

        Parameters
        ----------
        bids : Bids
            The sealed bids, as submitted.
        supply : int or Offers
            Permits for sale, or a supply curve (containment steps).
        limits : mapping from bidder to int, optional
            The most each listed bidder may buy, in permits (see
            :func:`auctions.rules.limits.trim_to_limits`); bidders not
            listed are not limited.
        **overrides
            Clearing options that replace the rules' own: ``rng`` (the seed
            of random tie draws), a year's ``reserve_price``, a
            ``min_price``.

        Returns
        -------
        AuctionResult
            Referring to ``bids`` as submitted.
        """
        self.check_bids(bids)
        options = self.options(**overrides)
        combined = self._limits(bids, supply, limits, options.pop("bidder_limit", None))
        if combined:
            options["bidder_limit"] = combined
        if self.pool_tied_bids:
            options["ration_by"] = "bidder"
        return uniform_price(bids, supply, **options)

    @staticmethod
    def _limits(
        bids: Bids, supply: int | Offers, limits: Mapping[Any, int] | None,
        share: float | Mapping[Any, int] | None,
    ) -> dict[Any, int]:
        """Each bidder's limit: its own and the common share of the supply, the smaller."""
        combined = dict(limits or {})
        if isinstance(share, Mapping):
            for label, cap in share.items():
                combined[label] = min(cap, combined.get(label, cap))
        elif share is not None:
            total = supply.total if isinstance(supply, Offers) else check_nonnegative_int(
                "supply", supply)
            cap = math.floor(check_share("bidder_limit", share) * Fraction(total))
            for label in bids.bidders.tolist():
                combined[label] = min(cap, combined.get(label, cap))
        return combined


def _check_decimals(prices: NDArray[np.float64], decimals: int, programme: str) -> None:
    scale = 10.0**decimals
    bad = np.rint(prices * scale) / scale != prices
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"price must have at most {decimals} decimals under the {programme} rules "
            f"(got {prices[i].item()!r} at index {i})"
        )

