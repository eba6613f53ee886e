"""California-Quebec: the Allowance Price Containment Reserve tiers and the price ceiling.

Outside the joint auctions (:mod:`auctions.rules.california_quebec`),
California sells allowances from its Allowance Price Containment Reserve at
fixed tier prices and, from 2021, price ceiling units at the ceiling. The
rules, with their provisions:

- **Tiers until 2020**: three tiers at 40, 45 and 50 dollars in 2013 (Quebec:
  categories A, B and C, Q-2, r. 46.1, s. 58), each rising every year by 5 %
  plus inflation. The prices are from :mod:`allocation.containment`; the
  escalation rule for the tiers was not read in the regulation text here
  (it is the auction reserve price's rule, 17 CCR 95911(c)(3)(A), applied to
  the tiers: not confirmed).
- **Tiers from 2021**: two tiers, 41.40 and 53.20 dollars in 2021, rising by
  5 % plus inflation (the 2021 figures are California's published ones as
  recalled in :data:`allocation.containment.CALIFORNIA_2021_TIERS`; not
  confirmed against 17 CCR 95913).
- **Price ceiling** (17 CCR 95915(f)(1)(A), as cited by
  :mod:`allocation.containment`): 65 dollars in 2021, then 5 % plus inflation
  a year (:func:`price_ceiling`). Price ceiling units are sold at the
  ceiling to covered entities (:func:`ceiling_sale`); the limit of each
  entity's purchase to its compliance needs is left to the caller
  (``limits``), its text not having been read.
- **When a Reserve sale is offered** (17 CCR 95913(d)(1)(A)-(B), read): only
  if the previous quarter's Current Auction settled at or above 60 % of the
  lowest tier price, except the sale before the 1 November surrender
  deadline, which is always held (:func:`reserve_sale_offered`).
- **Eligibility** (17 CCR 95913(b)-(c), read): only entities registered in
  the California program; entities of a linked jurisdiction may not buy
  from California's Reserve.
- **Rationing of an oversubscribed tier**: pro rata by default; Quebec's rule
  for its Category C units (Q-2, r. 46.1, s. 61.5, read) is the same
  procedure as its auction tie rule (shares rounded down, the rest one unit
  at a time in random order). California's own rule was not read.

Inflation is an input: a mapping from each year to the CPI-U change used for
that year's increase. Every price is rounded to the nearest cent, halves up,
each year (our reading).

References
----------
California Code of Regulations, title 17, sections 95913 (read at
law.cornell.edu) and 95915; Quebec, Q-2, r. 46.1, sections 58 and 61.5.

Examples
--------
>>> tier_prices(2021, {}), price_ceiling(2021, {})
((41.4, 53.2), 65.0)
>>> price_ceiling(2022, {2022: 0.03})
70.2
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from allocation.containment import (
    CALIFORNIA_2013_TIERS,
    CALIFORNIA_2021_PRICE_CEILING,
    CALIFORNIA_2021_TIERS,
    price_containment_tiers,
    tier_sale,
)
from allocation.containment import reserve_sale_offered as _offered
from allocation.reserve import fixed_price_sale
from auctions import AuctionResult, Bids
from auctions._validate import check_nonnegative_int
from auctions.clearing import SeedLike, TieBreak
from auctions.rules import escalate_by_year, trim_to_limits
from auctions.rules.california_quebec import RULES

__all__ = [
    "PARAMETERS",
    "ReserveParameters",
    "ceiling_sale",
    "price_ceiling",
    "reserve_sale",
    "reserve_sale_offered",
    "tier_prices",
]


@dataclass(frozen=True, kw_only=True)
class ReserveParameters:
    """Tier prices, the ceiling and their escalation; ``dataclasses.replace`` to vary.

    Attributes
    ----------
    tiers_2013 : tuple of float
        The three tier prices of 2013.
    tiers_2021 : tuple of float
        The two tier prices of 2021.
    ceiling_2021 : float
        The price ceiling of 2021.
    annual_increase : float
        The real yearly increase, to which inflation is added (5 %).
    tie_break : {"pro_rata", "random", "time"}
        How an oversubscribed tier or ceiling sale is rationed.
    lot_size : int
        Allowances per lot (1,000).
    """

    tiers_2013: tuple[float, ...] = CALIFORNIA_2013_TIERS
    tiers_2021: tuple[float, ...] = CALIFORNIA_2021_TIERS
    ceiling_2021: float = CALIFORNIA_2021_PRICE_CEILING
    annual_increase: float = 0.05
    tie_break: TieBreak = "pro_rata"
    lot_size: int = RULES.lot_size


#: The Reserve and ceiling as the regulations set them.
PARAMETERS = ReserveParameters()


def tier_prices(
    year: int, inflation: Mapping[int, float], *, params: ReserveParameters = PARAMETERS
) -> tuple[float, ...]:
    """The Reserve tier prices for ``year`` (three until 2020, two from 2021).

    Examples
    --------
    >>> tier_prices(2013, {})
    (40.0, 45.0, 50.0)
    >>> tier_prices(2014, {2014: 0.02})
    (42.8, 48.15, 53.5)
    """
    y = check_nonnegative_int("year", year)
    if y < 2013:
        raise ValueError(f"year must be >= 2013, the first year of Reserve sales (got {y})")
    base_year, tiers = (2013, params.tiers_2013) if y < 2021 else (2021, params.tiers_2021)
    return tuple(
        escalate_by_year(t, base_year, y, inflation, plus=params.annual_increase,
                         name="inflation")
        for t in tiers
    )


def price_ceiling(
    year: int, inflation: Mapping[int, float], *, params: ReserveParameters = PARAMETERS
) -> float:
    """The price ceiling for ``year`` (2021 or later; 17 CCR 95915).

    Raises
    ------
    ValueError
        For a year before 2021 or a year missing from ``inflation``.
    """
    y = check_nonnegative_int("year", year)
    if y < 2021:
        raise ValueError(f"year must be >= 2021, when the price ceiling began (got {y})")
    return escalate_by_year(params.ceiling_2021, 2021, y, inflation,
                            plus=params.annual_increase, name="inflation")


def reserve_sale_offered(
    settlement_price: float, year: int, inflation: Mapping[int, float], *,
    params: ReserveParameters = PARAMETERS,
) -> bool:
    """Whether a Reserve sale follows a Current Auction settled at ``settlement_price``.

    At or above 60 % of the lowest tier price of ``year`` (17 CCR
    95913(d)(1)(A); the sale before 1 November is held regardless).

    Examples
    --------
    60 % of 41.40 is 24.84:

    >>> reserve_sale_offered(24.84, 2021, {}), reserve_sale_offered(24.83, 2021, {})
    (True, False)
    """
    return _offered(settlement_price, min(tier_prices(year, inflation, params=params)))


def reserve_sale(
    bids: Bids,
    quantities: Any,
    year: int,
    inflation: Mapping[int, float],
    *,
    params: ReserveParameters = PARAMETERS,
    rng: SeedLike = None,
) -> AuctionResult:
    """A Reserve sale: each tier sold at its fixed price to the requests for it.

    Parameters
    ----------
    bids : Bids
        Requests; each bid's price names its tier (a tier price of ``year``).
    quantities : sequence of int
        Allowances in each tier.
    year : int
    inflation : mapping from year to float
    params : ReserveParameters, default PARAMETERS
    rng : int, Generator or SeedSequence, optional

    Returns
    -------
    AuctionResult
        See :func:`allocation.containment.tier_sale`.

    Examples
    --------
    >>> from auctions import Bids
    >>> bids = Bids(bidder=["a", "b"], price=[41.40, 53.20], quantity=[3000, 1000])
    >>> reserve_sale(bids, [2000, 2000], 2021, {}).awarded.tolist()
    [2000, 1000]
    """
    tiers = price_containment_tiers(tier_prices(year, inflation, params=params), quantities)
    return tier_sale(bids, tiers, tie_break=params.tie_break, lot_size=params.lot_size, rng=rng)


def ceiling_sale(
    bids: Bids,
    quantity: int,
    year: int,
    inflation: Mapping[int, float],
    *,
    covered: Collection[Hashable] | None = None,
    limits: Mapping[Any, int] | None = None,
    params: ReserveParameters = PARAMETERS,
    rng: SeedLike = None,
) -> AuctionResult:
    """Sell up to ``quantity`` price ceiling units at the ceiling of ``year``.

    Parameters
    ----------
    bids : Bids
        Requests: a bid at or above the ceiling asks for its quantity.
    quantity : int
        Units available.
    year : int
        2021 or later.
    inflation : mapping from year to float
    covered : collection of labels, optional
        The covered entities allowed to buy.
    limits : mapping from bidder to int, optional
        The most each may buy (its compliance needs).
    params : ReserveParameters, default PARAMETERS
    rng : int, Generator or SeedSequence, optional

    Examples
    --------
    >>> from auctions import Bids
    >>> bids = Bids(bidder=["a", "b"], price=[65.0, 65.0], quantity=[4000, 4000])
    >>> r = ceiling_sale(bids, 6000, 2021, {}, limits={"b": 2000})
    >>> r.awarded.tolist(), r.clearing_price
    ([4000, 2000], 65.0)
    """
    price = price_ceiling(year, inflation, params=params)
    requests = bids if limits is None else trim_to_limits(bids, limits, lot_size=params.lot_size)
    result = fixed_price_sale(
        requests, quantity, price=price, eligible=covered, tie_break=params.tie_break,
        lot_size=params.lot_size, rng=rng,
    )
    return result if requests is bids else replace(result, bids=bids)
