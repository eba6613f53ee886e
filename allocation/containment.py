"""Containment reserves: supply that responds to the auction price.

Two families, both sold through the ordinary clearing engine:

**Offer steps in an auction (RGGI).** A cost-containment reserve (CCR) adds
permits, beyond the cap, that sell only at or above a trigger price; an
emissions-containment reserve (ECR) withholds permits that would sell below a
trigger price. Both are steps of the auction's supply curve
(:class:`auctions.Offers`):

- ``base - ecr_quantity`` permits at the auction reserve price;
- ``ecr_quantity`` permits at the ECR trigger price: they sell only if demand
  at the trigger is deep enough, and when partly sold the price is the
  trigger; whatever does not sell is withheld and, in RGGI, not offered again;
- ``ccr_quantity`` extra permits at the CCR trigger price: they sell only at
  or above it, and when partly sold the price is the trigger.

The engine never sells a step below its price, so neither reserve can sell
below its trigger. The CCR is limited per year: pass the quantity left for
the year and subtract :attr:`ContainmentOutcome.ccr_sold` after each auction.
The same holds for the ECR's annual withholding limit.

**Fixed-price tiers (California-Quebec).** Allowances of the Allowance Price
Containment Reserve are sold outside the auction, in tiers at fixed prices,
to covered entities (:func:`tier_sale`). From 2013 to 2020 there were three
equal-sized tiers (40, 45 and 50 dollars in 2013, each rising by 5 % plus
inflation a year); from 2021 two tiers and a price ceiling (65 dollars in
2021). A reserve sale is offered when the previous quarter's auction settled
at or above 60 % of the lowest tier price, and always before the 1 November
surrender deadline (:func:`reserve_sale_offered`).

RGGI numbers (2017 Model Rule, as adopted in state rules):

- CCR trigger price: 10.25 (2018), 10.51 (2019), 10.77 (2020); 13.00 in 2021
  and then 1.07 times the previous year's, rounded to the nearest whole cent
  (13.91, 14.88, 15.92, 17.03, 18.22, 19.50, 20.87, 22.33, 23.89 to 2030).
  Before 2018: 4 (2014), 6 (2015), 8 (2016), 10 (2017) under the 2013 Model
  Rule (these four from that rule as we recall it, not confirmed against a
  source here; 2018 = 10.00 x 1.025 is confirmed), then 1.025 times the
  previous year's.
- ECR trigger price: 6.00 in 2021, then 1.07 times the previous year's, to
  the nearest cent (6.42, 6.87, 7.35, 7.86, 8.41, 9.00, 9.63, 10.30, 11.02).
- Minimum reserve price: 2.00 in 2014, then 1.025 times the previous year's,
  to the nearest cent (2.38 in 2021, 2.44 in 2022, 2.50 in 2023, 2.56 in
  2024).
- CCR size: 10 million allowances a year to 2020 (5 million in 2014, not
  confirmed here), and from 2021 10 % of the regional cap. ECR: up to 10 % of the budgets of the
  states that implement it (Maine and New Hampshire do not), from 2021.

Rounding "to the nearest whole cent" is taken as halves up, in decimal: it
reproduces the published tables (19.50 x 1.07 = 20.865 gives 20.87; 2.20 x
1.025 = 2.255 gives the 2019 reserve price 2.26). How the 10 % CCR and ECR
quantities are rounded to whole allowances is not stated in the sources
consulted; :func:`rggi_ccr_quantity` and :func:`rggi_ecr_quantity` round down
(not confirmed). The California 2021 tier prices used by
:data:`CALIFORNIA_2021_TIERS` (41.40 and 53.20 dollars) are CARB's published
2021 figures as we recall them and were not confirmed against the regulation
text; the 65-dollar ceiling was (17 CCR section 95915(f)(1)(A)). How an
oversubscribed tier is rationed is not confirmed either: :func:`tier_sale`
uses the engine's tie rules (pro rata by default, Quebec's published rule for
auction ties).

References
----------
RGGI, Inc. (2017). *Model Rule*, as updated 19 December 2017 (revised 14
December 2018): CCR trigger 13.00 in 2021 rising 7 % a year, CCR 10 % of the
regional cap, ECR trigger 6.00 rising 7 % a year, ECR withholding up to 10 %
of participating states' budgets. Rhode Island 250-RICR-120-05-47, section
47.4 (CCR and ECR trigger price tables, 2018-2030; minimum reserve price 2.00
in 2014 times 1.025 a year, rounded to the nearest whole cent); New
Hampshire Env-A 4602.37 (CCR trigger 10.51, 10.77, 13.00, then 1.07 times the
previous year's, rounded to the nearest whole cent).
California Code of Regulations, title 17, sections 95913 (sales from the
Allowance Price Containment Reserve; the 60 % condition) and 95915 (price
ceiling sales, 65 dollars in 2021, then 5 % plus inflation a year).
Quebec, Regulation respecting a cap-and-trade system, Q-2, r. 46.1, section
58 (categories A, B, C at 40, 45, 50 dollars until 2020).
Burtraw, D., Holt, C., Palmer, K., Paul, A. and Shobe, W. (2017). *Expanding
the Toolkit: The Potential Role for an Emissions Containment Reserve in
RGGI*. Resources for the Future.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions import AuctionResult, Bids, Offers, uniform_price
from auctions._exact import DECIMAL
from auctions._validate import (
    as_prices,
    as_quantities,
    check_choice,
    check_nonnegative_int,
    check_price,
    check_total_quantity,
)
from auctions.clearing import PRICE_RULES, TIE_BREAKS, PriceRule, SeedLike, TieBreak
from auctions.rules.base import escalate

__all__ = [
    "CALIFORNIA_2013_TIERS",
    "CALIFORNIA_2021_PRICE_CEILING",
    "CALIFORNIA_2021_TIERS",
    "RGGI_LAST_YEAR",
    "ContainmentOutcome",
    "RGGIPrices",
    "containment_auction",
    "containment_offers",
    "price_containment_tiers",
    "reserve_sale_offered",
    "rggi_auction",
    "rggi_ccr_quantity",
    "rggi_ecr_quantity",
    "rggi_prices",
    "tier_sale",
]

#: California's three Reserve tier prices in 2013, in dollars (Quebec: 2014).
CALIFORNIA_2013_TIERS: Final = (40.0, 45.0, 50.0)
#: California's two Reserve tier prices in 2021, in dollars (not confirmed here).
CALIFORNIA_2021_TIERS: Final = (41.40, 53.20)
#: California's price ceiling in 2021, in dollars (17 CCR 95915(f)(1)(A)).
CALIFORNIA_2021_PRICE_CEILING: Final = 65.0

#: The last year :func:`rggi_prices` extends the escalation to (the calendar's
#: last four-digit year; the 7 % escalation from 2021 keeps the prices finite).
RGGI_LAST_YEAR: Final = 9999

#: Labels of the offer steps built by :func:`containment_offers`.
BASE, ECR, CCR = "base", "ecr", "ccr"


class RGGIPrices(NamedTuple):
    """RGGI's prices for one year: minimum reserve price and the two triggers."""

    reserve_price: float
    ccr_trigger: float
    ecr_trigger: float | None


def rggi_prices(year: int) -> RGGIPrices:
    """RGGI's minimum reserve price and CCR and ECR trigger prices for ``year``.

    Parameters
    ----------
    year : int
        From 2014 to :data:`RGGI_LAST_YEAR`. The ECR starts in 2021 (``ecr_trigger``
        is None before).

    Returns
    -------
    RGGIPrices

    References
    ----------
    RGGI 2017 Model Rule; Rhode Island 250-RICR-120-05-47, section 47.4; New
    Hampshire Env-A 4602.37 (see the module notes).

    Examples
    --------
    >>> rggi_prices(2021)
    RGGIPrices(reserve_price=2.38, ccr_trigger=13.0, ecr_trigger=6.0)
    >>> rggi_prices(2028).ccr_trigger, rggi_prices(2030).ecr_trigger
    (20.87, 11.02)
    >>> rggi_prices(2019)
    RGGIPrices(reserve_price=2.26, ccr_trigger=10.51, ecr_trigger=None)
    """
    y = check_nonnegative_int("year", year)
    if not 2014 <= y <= RGGI_LAST_YEAR:
        raise ValueError(f"year must be from 2014, when the CCR began, to {RGGI_LAST_YEAR} "
                         f"(got {y})")
    reserve = escalate("2.00", ["0.025"] * (y - 2014))
    if y <= 2017:
        ccr = float((4, 6, 8, 10)[y - 2014])
    elif y <= 2020:
        ccr = escalate("10.00", ["0.025"] * (y - 2017))
    else:
        ccr = escalate("13.00", ["0.07"] * (y - 2021))
    ecr = None if y < 2021 else escalate("6.00", ["0.07"] * (y - 2021))
    return RGGIPrices(reserve, ccr, ecr)


def rggi_ccr_quantity(year: int, cap: int | None = None) -> int:
    """Allowances in RGGI's cost-containment reserve for ``year``.

    5 million in 2014, 10 million a year from 2015 to 2020, and from 2021 10 %
    of the regional cap (``cap`` needed), rounded down (the rounding is not
    confirmed).

    Examples
    --------
    >>> rggi_ccr_quantity(2016), rggi_ccr_quantity(2021, cap=75_147_784)
    (10000000, 7514778)
    """
    y = check_nonnegative_int("year", year)
    if y < 2014:
        raise ValueError(f"year must be >= 2014, when the CCR began (got {y})")
    c = None if cap is None else check_nonnegative_int("cap", cap)
    if y < 2021:
        return 5_000_000 if y == 2014 else 10_000_000
    if c is None:
        raise ValueError(f"cap is needed from 2021, when the CCR is 10% of it (got year {y})")
    return c // 10


def rggi_ecr_quantity(year: int, budget: int) -> int:
    """Most allowances RGGI's ECR may withhold in ``year``: 10 % of ``budget``.

    ``budget`` is the combined budget of the states implementing the ECR.
    Zero before 2021; rounded down (not confirmed).

    Examples
    --------
    >>> rggi_ecr_quantity(2021, 70_000_005), rggi_ecr_quantity(2020, 70_000_000)
    (7000000, 0)
    """
    y = check_nonnegative_int("year", year)
    b = check_nonnegative_int("budget", budget)
    return 0 if y < 2021 else b // 10


def containment_offers(
    base_supply: int,
    *,
    reserve_price: float = 0.0,
    ccr_trigger: float | None = None,
    ccr_quantity: int = 0,
    ecr_trigger: float | None = None,
    ecr_quantity: int = 0,
) -> Offers:
    """The supply curve of an auction with cost- and emissions-containment reserves.

    Parameters
    ----------
    base_supply : int
        Permits for sale from the cap, >= 0 (ECR permits included).
    reserve_price : float, default 0
        The auction's minimum price.
    ccr_trigger : float, optional
        Price at or above which the CCR's permits sell; above
        ``reserve_price`` and any ECR trigger.
    ccr_quantity : int, default 0
        CCR permits still available this year, beyond the base supply.
    ecr_trigger : float, optional
        Price below which ECR permits are withheld; above ``reserve_price``.
    ecr_quantity : int, default 0
        Permits of the base supply the ECR may withhold, at most
        ``base_supply``.

    Returns
    -------
    Offers
        Steps labelled ``"base"``, ``"ecr"``, ``"ccr"`` (those present, in
        that order).

    Raises
    ------
    ValueError, TypeError
        For negative quantities or prices, an ECR larger than the base
        supply, a quantity without its trigger, triggers out of order, or
        2**63 permits or more in all.

    References
    ----------
    RGGI 2017 Model Rule (CCR and ECR); DESIGN of this library: a
    containment reserve is an offer step at its trigger.

    Examples
    --------
    >>> curve = containment_offers(100, reserve_price=2.38, ecr_trigger=6.0, ecr_quantity=10,
    ...                            ccr_trigger=13.0, ccr_quantity=10)
    >>> curve.seller.tolist(), curve.price.tolist(), curve.quantity.tolist()
    (['base', 'ecr', 'ccr'], [2.38, 6.0, 13.0], [90, 10, 10])
    """
    base = check_nonnegative_int("base_supply", base_supply)
    floor = check_price("reserve_price", reserve_price)
    assert floor is not None
    ccr_q = check_nonnegative_int("ccr_quantity", ccr_quantity)
    ecr_q = check_nonnegative_int("ecr_quantity", ecr_quantity)
    ccr_p = check_price("ccr_trigger", ccr_trigger, allow_none=True)
    ecr_p = check_price("ecr_trigger", ecr_trigger, allow_none=True)
    if ccr_q and ccr_p is None:
        raise ValueError(f"ccr_quantity={ccr_q} needs a ccr_trigger (got None)")
    if ecr_q and ecr_p is None:
        raise ValueError(f"ecr_quantity={ecr_q} needs an ecr_trigger (got None)")
    if ecr_q > base:
        raise ValueError(
            f"ecr_quantity must be <= base_supply={base}: the ECR withholds permits of the "
            f"base supply (got {ecr_q})"
        )
    if ecr_p is not None and ecr_p <= floor:
        raise ValueError(f"ecr_trigger must be > reserve_price={floor} (got {ecr_p})")
    if ccr_p is not None:
        below = floor if ecr_p is None else max(floor, ecr_p)
        if ccr_p <= below:
            raise ValueError(
                f"ccr_trigger must be > the reserve price and any ECR trigger, {below} "
                f"(got {ccr_p})"
            )
    if base + ccr_q >= 2**63:
        raise ValueError(f"base_supply + ccr_quantity must be less than 2**63 permits "
                         f"(got {base} + {ccr_q})")
    steps = [(BASE, floor, base - ecr_q)]
    if ecr_p is not None:
        steps.append((ECR, ecr_p, ecr_q))
    if ccr_p is not None:
        steps.append((CCR, ccr_p, ccr_q))
    return Offers(
        price=[p for _, p, _ in steps],
        quantity=[q for _, _, q in steps],
        seller=[label for label, _, _ in steps],
    )


@dataclass(frozen=True, kw_only=True)
class ContainmentOutcome:
    """An auction with containment reserves, split by reserve.

    Attributes
    ----------
    result : AuctionResult
        The auction (its ``offers`` are the steps of
        :func:`containment_offers`).
    base_sold : int
        Permits sold from the base step.
    ecr_sold, ecr_withheld : int
        ECR permits sold, and withheld (not sold in this auction).
    ccr_sold, ccr_unsold : int
        CCR permits sold, and left in the CCR.
    """

    result: AuctionResult
    base_sold: int
    ecr_sold: int
    ecr_withheld: int
    ccr_sold: int
    ccr_unsold: int

    @property
    def clearing_price(self) -> float:
        """The auction's clearing price."""
        return self.result.clearing_price


def _step(offers: Offers, sold: NDArray[np.int64], label: str) -> tuple[int, int]:
    assert offers.seller is not None
    at = offers.seller == label
    return int(sold[at].sum()), int(offers.quantity[at].sum() - sold[at].sum())


def containment_auction(
    bids: Bids,
    base_supply: int,
    *,
    reserve_price: float = 0.0,
    ccr_trigger: float | None = None,
    ccr_quantity: int = 0,
    ecr_trigger: float | None = None,
    ecr_quantity: int = 0,
    price_rule: PriceRule = "first_rejected",
    tie_break: TieBreak = "pro_rata",
    bidder_limit: float | None = None,
    lot_size: int = 1,
    rng: SeedLike = None,
) -> ContainmentOutcome:
    """A uniform-price auction whose supply includes containment reserves.

    Parameters
    ----------
    bids : Bids
        The sealed bids.
    base_supply, reserve_price, ccr_trigger, ccr_quantity, ecr_trigger, ecr_quantity
        As for :func:`containment_offers`.
    price_rule : {"first_rejected", "last_accepted"}, default "first_rejected"
        RGGI prices at the highest rejected bid.
    tie_break, bidder_limit, lot_size, rng
        Clearing options (see :func:`auctions.clearing.clear`).

    Returns
    -------
    ContainmentOutcome

    References
    ----------
    RGGI 2017 Model Rule; RGGI Auction Notices (clearing price at the highest
    rejected bid, CCR and ECR offered as part of the auction).

    Examples
    --------
    A CCR partly sold: 100 base permits at 2.38 and 10 CCR permits at 13.
    Demand at 13 or more is 105 permits, so 5 CCR permits sell; the first
    rejected bid (8) is below the trigger, so the price is the trigger:

    >>> bids = Bids(bidder=["a", "b", "c"], price=[20.0, 14.0, 8.0], quantity=[60, 45, 30])
    >>> out = containment_auction(bids, 100, reserve_price=2.38, ccr_trigger=13.0,
    ...                           ccr_quantity=10)
    >>> out.clearing_price, out.base_sold, out.ccr_sold, out.ccr_unsold
    (13.0, 100, 5, 5)
    """
    check_choice("price_rule", price_rule, PRICE_RULES)
    curve = containment_offers(
        base_supply, reserve_price=reserve_price, ccr_trigger=ccr_trigger,
        ccr_quantity=ccr_quantity, ecr_trigger=ecr_trigger, ecr_quantity=ecr_quantity,
    )
    result = uniform_price(
        bids, curve, reserve_price=float(curve.price[0]), price_rule=price_rule,
        tie_break=tie_break, bidder_limit=bidder_limit, lot_size=lot_size, rng=rng,
    )
    sold = result.offer_sold
    base_sold, _ = _step(curve, sold, BASE)
    ecr_sold, ecr_left = _step(curve, sold, ECR)
    ccr_sold, ccr_left = _step(curve, sold, CCR)
    return ContainmentOutcome(
        result=result, base_sold=base_sold, ecr_sold=ecr_sold, ecr_withheld=ecr_left,
        ccr_sold=ccr_sold, ccr_unsold=ccr_left,
    )


def rggi_auction(
    bids: Bids,
    base_supply: int,
    year: int,
    *,
    ccr_quantity: int = 0,
    ecr_quantity: int = 0,
    tie_break: TieBreak = "pro_rata",
    lot_size: int = 1,
    rng: SeedLike = None,
) -> ContainmentOutcome:
    """A RGGI quarterly auction with the Model Rule's prices for ``year``.

    The minimum reserve price, the CCR trigger and (from 2021) the ECR trigger
    are those of :func:`rggi_prices`; the price is the highest rejected bid.
    ``ccr_quantity`` and ``ecr_quantity`` are what is left of the year's CCR
    and ECR limits.

    Examples
    --------
    2021: 1,000 base permits, 100 of them withholdable, and 75 CCR permits.
    Demand at 6.00 or more is 950: the ECR step sells 50 and withholds 50, and
    the price is the ECR trigger:

    >>> bids = Bids(bidder=["a", "b"], price=[9.0, 6.5], quantity=[600, 350])
    >>> out = rggi_auction(bids, 1_000, 2021, ccr_quantity=75, ecr_quantity=100)
    >>> out.clearing_price, out.ecr_sold, out.ecr_withheld, out.ccr_sold
    (6.0, 50, 50, 0)
    """
    prices = rggi_prices(year)
    ecr_q = check_nonnegative_int("ecr_quantity", ecr_quantity)
    if ecr_q and prices.ecr_trigger is None:
        raise ValueError(
            f"ecr_quantity must be 0 before 2021, when the ECR began (got {ecr_q} in {year})"
        )
    return containment_auction(
        bids, base_supply, reserve_price=prices.reserve_price,
        ccr_trigger=prices.ccr_trigger, ccr_quantity=ccr_quantity,
        ecr_trigger=prices.ecr_trigger if ecr_q else None, ecr_quantity=ecr_q,
        price_rule="first_rejected", tie_break=tie_break, lot_size=lot_size, rng=rng,
    )


# ---------------------------------------------------------------- fixed-price tiers


def price_containment_tiers(prices: ArrayLike, quantities: ArrayLike) -> Offers:
    """California-Quebec price-containment tiers: permits at fixed, rising prices.

    Parameters
    ----------
    prices : sequence of float
        Tier prices, strictly increasing.
    quantities : sequence of int
        Permits in each tier.

    Returns
    -------
    Offers
        One step per tier, labelled ``"tier 1"``, ``"tier 2"``, ...

    Examples
    --------
    >>> tiers = price_containment_tiers(CALIFORNIA_2013_TIERS, [100, 100, 100])
    >>> tiers.seller.tolist()
    ['tier 1', 'tier 2', 'tier 3']
    """
    p = as_prices("prices", prices)
    q = as_quantities("quantities", quantities)
    if p.size != q.size:
        raise ValueError(f"lengths differ: prices has {p.size}, quantities has {q.size}")
    rising = np.diff(p) > 0
    if not rising.all():
        i = int(np.argmin(rising)) + 1
        raise ValueError(f"prices must be strictly increasing (got {p[i].item()!r} at index {i})")
    check_total_quantity("quantities", q)
    return Offers(price=p, quantity=q, seller=[f"tier {i + 1}" for i in range(p.size)])


def reserve_sale_offered(settlement_price: float, lowest_tier_price: float) -> bool:
    """Whether California offers a Reserve sale after an auction at ``settlement_price``.

    Outside the sale before the 1 November surrender deadline (always
    offered), a Reserve sale is offered only if the previous quarter's
    auction settled at or above 60 % of the lowest tier price.

    References
    ----------
    17 CCR section 95913(d)(1)(A)-(B).

    Examples
    --------
    >>> reserve_sale_offered(24.84, 41.40), reserve_sale_offered(24.83, 41.40)
    (True, False)
    """
    s = check_price("settlement_price", settlement_price)
    t = check_price("lowest_tier_price", lowest_tier_price)
    assert s is not None and t is not None
    with decimal.localcontext(DECIMAL):
        return Decimal(repr(s)) >= Decimal("0.6") * Decimal(repr(t))


def tier_sale(
    bids: Bids,
    tiers: Offers,
    *,
    tie_break: TieBreak = "pro_rata",
    lot_size: int = 1,
    rng: SeedLike = None,
) -> AuctionResult:
    """Sell price-containment tiers at their fixed prices.

    Each bid asks for permits from one tier: its price must equal that tier's
    price. Each tier sells to its own bids at its own price; an oversubscribed
    tier is rationed by ``tie_break``.

    Parameters
    ----------
    bids : Bids
        Requests; ``price`` names the tier.
    tiers : Offers
        The tiers (:func:`price_containment_tiers`), prices distinct.
    tie_break : {"pro_rata", "random", "time"}, default "pro_rata"
        How an oversubscribed tier is rationed (the rule of the regulation is
        not confirmed here).
    lot_size : int, default 1
        Permits per lot.
    rng : int, Generator or SeedSequence, optional
        Seed of any random rationing.

    Returns
    -------
    AuctionResult
        ``format="fixed_price_tiers"``; ``offer_sold`` per tier;
        ``clearing_price`` is the highest tier price at which permits sold.

    Raises
    ------
    ValueError
        If a bid's price is not a tier price.

    References
    ----------
    17 CCR section 95913 (Reserve sales at fixed tier prices); Quebec Q-2,
    r. 46.1, section 58.

    Examples
    --------
    Tier 1 (41.40) has 100 permits and 150 requested: pro rata, 60 and 40.
    Tier 2 (53.20) has 100 and 30 requested:

    >>> tiers = price_containment_tiers(CALIFORNIA_2021_TIERS, [100, 100])
    >>> bids = Bids(bidder=["a", "b", "a"], price=[41.40, 41.40, 53.20],
    ...             quantity=[90, 60, 30])
    >>> r = tier_sale(bids, tiers)
    >>> r.awarded.tolist(), r.offer_sold.tolist(), round(r.revenue, 2)
    ([60, 40, 30], [100, 30], 5736.0)
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    if not isinstance(tiers, Offers):
        raise TypeError(f"tiers must be an Offers curve (got {type(tiers).__name__})")
    check_choice("tie_break", tie_break, TIE_BREAKS)
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1)
    order = np.argsort(tiers.price, kind="stable")
    sorted_prices = tiers.price[order]
    if (np.diff(sorted_prices) == 0).any():
        raise ValueError("tiers must have distinct prices")
    pos = np.minimum(np.searchsorted(sorted_prices, bids.price), sorted_prices.size - 1)
    unmatched = sorted_prices[pos] != bids.price
    if unmatched.any():
        i = int(np.argmax(unmatched))
        raise ValueError(
            f"price must be a tier price {sorted_prices.tolist()} "
            f"(got {bids.price[i].item()!r} at index {i})"
        )
    tier_of = order[pos]
    generator = np.random.default_rng(rng)
    awarded = np.zeros(len(bids), dtype=np.int64)
    payments = np.zeros(len(bids))
    sold = np.zeros(len(tiers), dtype=np.int64)
    for k in range(len(tiers)):
        rows = np.flatnonzero(tier_of == k)
        if rows.size == 0:
            continue
        sub = Bids(
            bidder=bids.bidder[rows], price=bids.price[rows], quantity=bids.quantity[rows],
            time=None if bids.time is None else bids.time[rows],
        )
        r = uniform_price(
            sub, int(tiers.quantity[k]), reserve_price=float(tiers.price[k]),
            tie_break=tie_break, lot_size=lot, rng=generator,
        )
        awarded[rows] = r.awarded
        payments[rows] = r.payments
        sold[k] = r.sold
    total = int(sold.sum())
    requested = int(bids.quantity.sum())
    if requested == 0:
        status = "no_valid_bids"
    elif total < tiers.total:
        status = "undersubscribed"
    else:
        status = "cleared"
    price = float(tiers.price[sold > 0].max()) if total else math.nan
    return AuctionResult(
        format="fixed_price_tiers",
        bids=bids,
        offers=tiers,
        clearing_price=price,
        awarded=awarded,
        payments=payments,
        offer_sold=sold,
        status=status,
        price_rule="fixed",
        tie_break=tie_break,
        lot_size=lot,
    )
