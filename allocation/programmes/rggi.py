"""RGGI: quarterly uniform-price auctions with a reserve price and two containment reserves.

The Regional Greenhouse Gas Initiative sells nearly all its CO2 allowances in
quarterly regional auctions. The rules, with their sources:

- **Format.** A single-round, sealed-bid, uniform-price auction (RGGI's
  announcement of March 2008); bids in multiples of 1,000 allowances; no
  bidder may bid for more than 25 % of the allowances offered (C2ES report
  of the first auction, September 2008, describing the auction notice):
  ``lot_size=1000``, ``bidder_limit=0.25``. The engine applies the 25 % to
  the whole supply curve offered, cost-containment reserve included, and
  removes a bidder's lots above it from its lowest prices; the platform
  refuses them at submission.
- **Clearing price.** The highest rejected bid, or the reserve price when
  every bid is filled: ``price_rule="first_rejected"``, raised to the
  trigger of any reserve step that sells. As the auction notices describe it
  (cited by :mod:`allocation.containment`); the notice text was not read in
  this project's research. Auction 13 (September 2011, undersubscribed)
  cleared at its reserve price of 1.89, as the rule gives.
- **Ties** at the clearing price: broken at random here
  (``tie_break="random"``); the notices' rule was not read (not confirmed).
- **Minimum reserve price** (:func:`reserve_price`): 2.00 in 2014 rising
  2.5 % a year to the nearest cent (the 2013 Model Rule as adopted in state
  rules, e.g. Rhode Island 250-RICR-120-05-47, section 47.4; computed by
  :func:`allocation.containment.rggi_prices`); from 2027, 9.00 rising 7 % a
  year (the 2025 Model Rule of the Third Program Review, as summarised by
  RGGI and ICAP in July 2025; the Model Rule text itself was not read, and
  rounding each year to the cent is assumed as in the earlier rules).
  Published values used as checks: 1.86 (2008), 1.89 (2011), 1.93 (2012),
  2.05 (2015), 2.10 (2016), 2.62 (2025) (:data:`PUBLISHED_RESERVE_PRICES`).
- **Cost-containment reserve (CCR)** (:func:`ccr_triggers`): extra
  allowances sold only at or above a trigger price: 4, 6, 8, 10 from 2014
  to 2017 (6.00 in 2015 and 8.00 in 2016 are confirmed by the notices of
  auctions 27 and 33), then 2.5 % a year to 2020; 13.00 in 2021 rising 7 %
  a year (2017 Model Rule); from 2027 two tiers, 19.50 and 29.25 in 2027,
  each rising 7 % a year to 38.36 and 57.53 in 2037 (2025 Model Rule, ICAP
  summary; rounding each year to the cent reproduces both 2037 figures).
  The CCR held 5 million allowances in 2014, 10 million a year to 2020, 10 %
  of the regional cap from 2021 and about 11.75 million a year from 2027;
  pass what is left for the year as ``ccr_quantity`` (one number per tier).
- **Emissions-containment reserve (ECR)** (:func:`ecr_trigger`), 2021-2026:
  allowances withheld if the price would fall below 6.00 in 2021 rising 7 %
  a year (2017 Model Rule); replaced from 2027 by the higher minimum reserve
  price (2025 Model Rule).

Each reserve is a step of the auction's supply curve
(:func:`allocation.containment.containment_offers`), so the auction is the
ordinary clearing engine with RGGI's options (:data:`RULES`).

References
----------
RGGI, Inc., *Model Rule* (2017) and *Third Program Review* summary (July
2025); International Carbon Action Partnership, news of 3 July 2025 (2025
Model Rule: reserve price 9.00 in 2027 rising 7 %, CCR tiers 19.50 and 29.25
rising to 38.36 and 57.53 in 2037, ECR replaced). RGGI auction notices as
reported: auction 13 (nawindpower.com, 2011), 15 (nawindpower.com, 2012:
reserve price 1.93), 27 (transmissionhub.com, 2015: 2.05 and CCR trigger
6.00), 33 (S&P Global, 2016: 2.10 and 8.00); RGGI, *Upcoming auctions* 2014
(CCR of 5 million in auction 23). C2ES, "RGGI conducts first allowance
auction" (2008: reserve 1.86, lots of 1,000, 25 % limit). Rhode Island
250-RICR-120-05-47, section 47.4.

Examples
--------
2024: 1,000,000 base allowances, 100,000 of them withholdable below the
7.35 ECR trigger, and 100,000 CCR allowances above 15.92. Demand at 7.35 or
more is 750,000, short of the 900,000 sold at the 2.56 reserve price, so the
ECR withholds all its allowances; the highest rejected bid, 7.00, is the
price:

>>> from auctions import Bids
>>> bids = Bids(bidder=["a", "b", "c", "d", "e"], price=[16.50, 15.00, 12.00, 7.00, 3.00],
...             quantity=[250_000, 250_000, 250_000, 200_000, 100_000])
>>> out = auction(bids, 1_000_000, 2024, ccr_quantity=100_000, ecr_quantity=100_000)
>>> out.clearing_price, out.base_sold, out.ecr_withheld, out.ccr_sold
(7.0, 900000, 100000, (0,))
>>> out.result.awarded.tolist()
[250000, 250000, 250000, 150000, 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

from allocation.containment import containment_offers, rggi_prices
from auctions import AuctionResult, Bids, Offers
from auctions._validate import check_nonnegative_int
from auctions.clearing import SeedLike
from auctions.rules import AuctionRules, escalate

__all__ = [
    "PARAMETERS",
    "PUBLISHED_RESERVE_PRICES",
    "RULES",
    "RGGIOutcome",
    "RGGIParameters",
    "RGGIPrices",
    "auction",
    "ccr_triggers",
    "ecr_trigger",
    "prices",
    "reserve_price",
    "supply_curve",
]

#: RGGI's auction format (see the module notes for the sources).
RULES = AuctionRules(
    name="RGGI",
    price_rule="first_rejected",
    tie_break="random",
    lot_size=1000,
    bidder_limit=0.25,
    on_undersubscribed="sell",
    price_decimals=2,
    sources=(
        "RGGI auction notices: single-round sealed-bid uniform price, highest rejected bid",
        "C2ES (2008), describing the auction notice: lots of 1,000, at most 25 % per bidder",
    ),
)

#: Reserve prices stated in auction notices (as reported), by year.
PUBLISHED_RESERVE_PRICES: Final = MappingProxyType(
    {2008: 1.86, 2011: 1.89, 2012: 1.93, 2015: 2.05, 2016: 2.10, 2025: 2.62}
)

#: Labels of the supply steps.
BASE, ECR, CCR = "base", "ecr", "ccr"


@dataclass(frozen=True, kw_only=True)
class RGGIParameters:
    """RGGI's auction format and the 2025 Model Rule's schedule parameters.

    Attributes
    ----------
    rules : AuctionRules
        The auction format.
    first_2025_rule_year : int
        The first year of the 2025 Model Rule (2027).
    reserve_price_2025_rule : float
        The minimum reserve price in that year (9.00).
    ccr_triggers_2025_rule : tuple of float
        The CCR tier triggers in that year (19.50, 29.25).
    annual_increase_2025_rule : float
        Their yearly increase (7 %).

    Examples
    --------
    >>> from dataclasses import replace
    >>> reserve_price(2028, params=replace(PARAMETERS, reserve_price_2025_rule=10.0))
    10.7
    """

    rules: AuctionRules = RULES
    first_2025_rule_year: int = 2027
    reserve_price_2025_rule: float = 9.00
    ccr_triggers_2025_rule: tuple[float, ...] = (19.50, 29.25)
    annual_increase_2025_rule: float = 0.07


#: RGGI as its rules set it.
PARAMETERS = RGGIParameters()


class RGGIPrices(NamedTuple):
    """A year's minimum reserve price, CCR tier triggers and ECR trigger (None: no ECR)."""

    reserve_price: float
    ccr_triggers: tuple[float, ...]
    ecr_trigger: float | None


def prices(year: int, *, params: RGGIParameters = PARAMETERS) -> RGGIPrices:
    """RGGI's prices for ``year`` (2014 or later).

    Examples
    --------
    >>> prices(2021)
    RGGIPrices(reserve_price=2.38, ccr_triggers=(13.0,), ecr_trigger=6.0)
    >>> prices(2027)
    RGGIPrices(reserve_price=9.0, ccr_triggers=(19.5, 29.25), ecr_trigger=None)
    """
    y = check_nonnegative_int("year", year)
    start = params.first_2025_rule_year
    if y < start:
        old = rggi_prices(y)
        return RGGIPrices(old.reserve_price, (old.ccr_trigger,), old.ecr_trigger)
    rates = [params.annual_increase_2025_rule] * (y - start)
    return RGGIPrices(
        escalate(params.reserve_price_2025_rule, rates),
        tuple(escalate(t, rates) for t in params.ccr_triggers_2025_rule),
        None,
    )


def reserve_price(year: int, *, params: RGGIParameters = PARAMETERS) -> float:
    """The minimum reserve price for ``year`` (2014 or later).

    Examples
    --------
    >>> [reserve_price(y) for y in (2015, 2016, 2025, 2027, 2028)]
    [2.05, 2.1, 2.62, 9.0, 9.63]
    """
    return prices(year, params=params).reserve_price


def ccr_triggers(year: int, *, params: RGGIParameters = PARAMETERS) -> tuple[float, ...]:
    """The CCR trigger price of each tier for ``year`` (one tier before 2027).

    Examples
    --------
    >>> ccr_triggers(2016), ccr_triggers(2037)
    ((8.0,), (38.36, 57.53))
    """
    return prices(year, params=params).ccr_triggers


def ecr_trigger(year: int, *, params: RGGIParameters = PARAMETERS) -> float | None:
    """The ECR trigger price for ``year``; None outside 2021-2026.

    Examples
    --------
    >>> ecr_trigger(2020), ecr_trigger(2026), ecr_trigger(2027)
    (None, 8.41, None)
    """
    return prices(year, params=params).ecr_trigger


def _tier_quantities(year: int, n_tiers: int, ccr_quantity: int | Sequence[int]) -> list[int]:
    if isinstance(ccr_quantity, Sequence):
        values = [check_nonnegative_int(f"ccr_quantity[{i}]", q)
                  for i, q in enumerate(ccr_quantity)]
    else:
        values = [check_nonnegative_int("ccr_quantity", ccr_quantity)]
        values += [0] * (n_tiers - 1)
    if len(values) != n_tiers:
        raise ValueError(
            f"ccr_quantity must give {n_tiers} tier quantities in {year} (got {len(values)})"
        )
    return values


def supply_curve(
    base_supply: int,
    year: int,
    *,
    ccr_quantity: int | Sequence[int] = 0,
    ecr_quantity: int = 0,
    params: RGGIParameters = PARAMETERS,
) -> Offers:
    """The auction's supply: base at the reserve price, ECR and CCR steps at their triggers.

    Parameters
    ----------
    base_supply : int
        Allowances offered from the cap (ECR allowances included).
    year : int
        2014 or later.
    ccr_quantity : int or sequence of int, default 0
        CCR allowances left for the year, per tier (an int is the first tier).
    ecr_quantity : int, default 0
        Allowances the ECR may still withhold (0 outside 2021-2026).
    params : RGGIParameters, default PARAMETERS

    Returns
    -------
    Offers
        Steps labelled ``"base"``, ``"ecr"``, ``"ccr"``, ``"ccr2"``.

    Examples
    --------
    >>> curve = supply_curve(1000, 2027, ccr_quantity=(100, 50))
    >>> curve.seller.tolist(), curve.price.tolist(), curve.quantity.tolist()
    (['base', 'ccr', 'ccr2'], [9.0, 19.5, 29.25], [1000, 100, 50])
    """
    p = prices(year, params=params)
    tiers = _tier_quantities(year, len(p.ccr_triggers), ccr_quantity)
    ecr_q = check_nonnegative_int("ecr_quantity", ecr_quantity)
    if ecr_q and p.ecr_trigger is None:
        raise ValueError(
            f"ecr_quantity must be 0 in {year}, a year without an ECR (got {ecr_q})"
        )
    first = containment_offers(
        base_supply, reserve_price=p.reserve_price, ccr_trigger=p.ccr_triggers[0],
        ccr_quantity=tiers[0], ecr_trigger=p.ecr_trigger if ecr_q else None,
        ecr_quantity=ecr_q,
    )
    assert first.seller is not None
    extra = list(zip(p.ccr_triggers[1:], tiers[1:], strict=True))
    return Offers(
        price=[*first.price.tolist(), *(t for t, _ in extra)],
        quantity=[*first.quantity.tolist(), *(q for _, q in extra)],
        seller=[*first.seller.tolist(), *(f"{CCR}{i + 2}" for i in range(len(extra)))],
    )


@dataclass(frozen=True, kw_only=True)
class RGGIOutcome:
    """A RGGI auction, split by supply step.

    Attributes
    ----------
    result : AuctionResult
        The auction.
    base_sold : int
        Allowances sold from the base step.
    ecr_sold, ecr_withheld : int
        ECR allowances sold, and withheld (not offered again).
    ccr_sold, ccr_unsold : tuple of int
        CCR allowances sold and left, per tier.
    """

    result: AuctionResult
    base_sold: int
    ecr_sold: int
    ecr_withheld: int
    ccr_sold: tuple[int, ...]
    ccr_unsold: tuple[int, ...]

    @property
    def clearing_price(self) -> float:
        """The auction's clearing price."""
        return self.result.clearing_price


def _by_step(curve: Offers, sold: NDArray[np.int64], label: str) -> tuple[int, int]:
    assert curve.seller is not None
    at = curve.seller == label
    return int(sold[at].sum()), int(curve.quantity[at].sum() - sold[at].sum())


def auction(
    bids: Bids,
    base_supply: int,
    year: int,
    *,
    ccr_quantity: int | Sequence[int] = 0,
    ecr_quantity: int = 0,
    params: RGGIParameters = PARAMETERS,
    rng: SeedLike = None,
) -> RGGIOutcome:
    """One RGGI quarterly auction in ``year``.

    Parameters
    ----------
    bids : Bids
        Bids in multiples of 1,000 and whole cents.
    base_supply, year, ccr_quantity, ecr_quantity
        As for :func:`supply_curve`.
    params : RGGIParameters, default PARAMETERS
    rng : int, Generator or SeedSequence, optional
        Seed of the random tie draws.

    Returns
    -------
    RGGIOutcome

    Examples
    --------
    2027: demand at 19.50 or more is 1,050,000, so 50,000 allowances of the
    first CCR tier sell; the highest rejected bid (15.00) is below the
    trigger, so the price is the trigger:

    >>> from auctions import Bids
    >>> bids = Bids(bidder=list("abcdefg"), price=[35.0, 30.0, 25.0, 22.0, 21.0, 20.0, 15.0],
    ...             quantity=[200_000] * 5 + [50_000, 200_000])
    >>> out = auction(bids, 1_000_000, 2027, ccr_quantity=(100_000, 50_000))
    >>> out.clearing_price, out.base_sold, out.ccr_sold, out.ccr_unsold
    (19.5, 1000000, (50000, 0), (50000, 50000))
    """
    curve = supply_curve(base_supply, year, ccr_quantity=ccr_quantity,
                         ecr_quantity=ecr_quantity, params=params)
    result = params.rules.clear(bids, curve, rng=rng, reserve_price=float(curve.price[0]))
    sold = result.offer_sold
    assert curve.seller is not None
    labels = [s for s in curve.seller.tolist() if s.startswith(CCR)]
    ccr = [_by_step(curve, sold, label) for label in labels]
    base_sold, _ = _by_step(curve, sold, BASE)
    ecr_sold, ecr_left = _by_step(curve, sold, ECR)
    return RGGIOutcome(
        result=result, base_sold=base_sold, ecr_sold=ecr_sold, ecr_withheld=ecr_left,
        ccr_sold=tuple(s for s, _ in ccr), ccr_unsold=tuple(u for _, u in ccr),
    )
