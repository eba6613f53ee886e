"""Reverse auctions: a buyer (the regulator) purchases permits back from sellers.

The mirror image of a sale. The regulator's demand is one bid (its price cap,
its quantity) and the firms' asks are the supply curve; the same clearing
engine fills the cheapest asks first, with the competing side set to
``"supply"`` so that the price rule reads the asks.

Three pricings:

- ``"uniform"``: every permit bought is paid the same price, the highest
  accepted ask (``price_rule="last_accepted"``) or the lowest rejected ask
  (``"first_rejected"``, truthful for sellers of one permit), never above the
  cap. With a budget, the largest quantity whose uniform payment fits it.
- ``"pay_as_bid"``: each seller is paid its ask. With a budget, the largest
  quantity whose asks add up to no more than it.
- ``"proportional_share"``: Singer's budget-feasible mechanism for additive
  values, for a budget and no price cap. Each seller offers one block of
  permits at one price per permit and sells all of it or nothing; asks are
  taken cheapest first while each block's price per permit is at most the
  budget divided by the permits taken so far; each winner is paid its
  threshold price (the highest ask at which it would still have won), so
  no seller gains by misreporting its cost, and the payments never exceed
  the budget.

References
----------
Singer, Y. (2010). Budget feasible mechanisms. *Proceedings of the 51st IEEE
Symposium on Foundations of Computer Science (FOCS)*, 765-774.
Myerson, R. B. (1981). Optimal auction design. *Mathematics of Operations
Research* 6(1), 58-73 (threshold payments of monotone rules).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from auctions._validate import check_choice, check_nonnegative_int, check_price
from auctions.bids import Bids, Offers
from auctions.clearing import PRICE_RULES, TIE_BREAKS, PriceRule, SeedLike, TieBreak, clear
from auctions.result import AuctionResult

__all__ = ["PRICINGS", "reverse_auction"]

PRICINGS: Final = ("uniform", "pay_as_bid", "proportional_share")

REGULATOR: Final = "regulator"


def _lots_within_budget(
    price: NDArray[np.float64], lots: NDArray[np.int64], lot: int, cap: float,
    budget: float, pricing: str, price_rule: str,
) -> int:
    """The most lots whose purchase under ``pricing`` costs no more than ``budget``,
    the cost compared with the budget exactly."""
    order = np.argsort(price, kind="stable")
    asks, cum = price[order], np.cumsum(lots[order])
    if pricing == "pay_as_bid":
        affordable = _PayAsBidCost(asks, lots[order] * lot, cum, lot, budget).affordable
    else:
        def affordable(q: int) -> bool:
            step = int(np.searchsorted(cum, q, side="left"))
            if price_rule == "last_accepted":
                unit = float(asks[step])
            else:
                nxt = int(np.searchsorted(cum, q + 1, side="left"))
                unit = min(float(asks[nxt]), cap) if nxt < asks.size else cap
            return Fraction(unit) * (q * lot) <= Fraction(budget)

    lo, hi = 0, int(cum[-1]) if cum.size else 0
    while lo < hi:  # the largest affordable q; the cost never falls as q grows
        mid = (lo + hi + 1) // 2
        if affordable(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


class _PayAsBidCost:
    """Whether the cheapest ``q`` lots, each paid its ask, fit the budget: decided
    from float running sums where their error bound settles it, else exactly."""

    def __init__(self, asks: NDArray[np.float64], permits: NDArray[np.int64],
                 cum: NDArray[np.int64], lot: int, budget: float) -> None:
        self.asks, self.permits, self.cum, self.lot, self.budget = (
            asks, permits, cum, lot, budget)
        self.before = np.concatenate(([0.0], np.cumsum(asks * permits)))

    def affordable(self, q: int) -> bool:
        step = int(np.searchsorted(self.cum, q, side="left"))
        done = int(self.cum[step - 1]) if step else 0
        last = (q - done) * self.lot
        cost = float(self.before[step]) + last * float(self.asks[step])
        # Each of the step + 2 products and sums errs by at most half an ulp of
        # the running total; 2**-50 per term bounds them with room to spare.
        slack = cost * (step + 3) * 2.0**-50
        if cost + slack < self.budget:
            return True
        if cost - slack > self.budget:
            return False
        exact = sum((Fraction(float(a)) * int(n) for a, n in
                     zip(self.asks[:step], self.permits[:step], strict=True)), Fraction(0))
        return exact + Fraction(float(self.asks[step])) * last <= Fraction(self.budget)


def reverse_auction(
    offers: Offers,
    *,
    demand: int | None = None,
    budget: float | None = None,
    price_cap: float | None = None,
    pricing: Literal["uniform", "pay_as_bid", "proportional_share"] = "uniform",
    price_rule: PriceRule = "last_accepted",
    tie_break: TieBreak = "pro_rata",
    lot_size: int = 1,
    rng: SeedLike = None,
) -> AuctionResult:
    """Buy permits back from sellers' asks: cheapest first, within demand, cap and budget.

    Parameters
    ----------
    offers : Offers
        The sellers' asks: permits offered at a price per permit or more,
        labelled by ``seller``.
    demand : int, optional
        The most permits to buy.
    budget : float, optional
        The most money to spend (never exceeded).
    price_cap : float, optional
        The highest price per permit the regulator pays (no ask above it is
        accepted).
    pricing : {"uniform", "pay_as_bid", "proportional_share"}
        How sellers are paid (see the module notes).
    price_rule : {"last_accepted", "first_rejected"}
        For uniform pricing: the highest accepted ask or the lowest rejected
        ask (the cap when every valid ask is accepted).
    tie_break : {"pro_rata", "random", "time"}
        How asks at the marginal price share what is left to buy.
    lot_size : int, default 1
        Permits per lot.
    rng : int, Generator or SeedSequence, optional
        Seed of the random tie orders.

    Returns
    -------
    AuctionResult
        The regulator is the only bidder: ``awarded[0]`` is the permits
        bought and ``payments[0]`` the money spent. ``offer_sold`` and
        ``receipts`` give each ask's permits sold and money received;
        ``clearing_price`` is the uniform price (for pay-as-bid, the highest
        accepted ask; for proportional share, nan).

    Examples
    --------
    Buy back up to 30 permits, paying no more than 12 each:

    >>> asks = Offers(price=[8.0, 10.0, 11.0, 14.0], quantity=[10, 10, 20, 5],
    ...               seller=["w", "x", "y", "z"])
    >>> r = reverse_auction(asks, demand=30, price_cap=12.0)
    >>> r.clearing_price, r.offer_sold.tolist(), r.receipts.tolist()
    (11.0, [10, 10, 10, 0], [110.0, 110.0, 110.0, 0.0])
    >>> reverse_auction(asks, budget=300.0, pricing="pay_as_bid").offer_sold.tolist()
    [10, 10, 10, 0]
    """
    if not isinstance(offers, Offers):
        raise TypeError(f"offers must be an Offers curve (got {type(offers).__name__})")
    want = None if demand is None else check_nonnegative_int("demand", demand, int64=True)
    money = check_price("budget", budget, allow_none=True)
    cap = check_price("price_cap", price_cap, allow_none=True)
    check_choice("pricing", pricing, PRICINGS)
    check_choice("price_rule", price_rule, PRICE_RULES)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1, int64=True)
    if want is None and money is None and cap is None:
        raise ValueError("reverse_auction needs a demand, a budget or a price_cap (got none)")
    if pricing == "proportional_share":
        if money is None or cap is not None or want is not None:
            raise ValueError(
                "pricing='proportional_share' takes a budget and no demand or price_cap "
                f"(got demand={demand!r}, budget={budget!r}, price_cap={price_cap!r})"
            )
        if lot != 1:
            raise ValueError("pricing='proportional_share' sells whole blocks and takes no "
                             f"lot_size (got {lot_size!r})")
        return _proportional_share(offers, money)
    return _cleared_purchase(offers, want, money, cap, pricing, price_rule, tie_break, lot, rng)


def _cleared_purchase(
    offers: Offers, want: int | None, money: float | None, cap: float | None, pricing: str,
    price_rule: PriceRule, tie_break: TieBreak, lot: int, rng: SeedLike,
) -> AuctionResult:
    if lot > 1 and (offers.quantity % lot).any():
        i = int(np.argmax(offers.quantity % lot != 0))
        raise ValueError(
            f"supply must be whole multiples of lot_size={lot} "
            f"(got {int(offers.quantity[i])} at index {i})"
        )
    if want is not None and want % lot:
        raise ValueError(f"demand must be a whole multiple of lot_size={lot} (got {want})")
    # Without a cap the regulator's bid is the highest ask with permits in it: an
    # empty ask cannot set the price.
    ceiling = float(offers.price[offers.quantity > 0].max(initial=0.0)) if cap is None else cap
    quantity = offers.total if want is None else want
    if money is not None:
        valid = offers.price <= ceiling
        affordable = _lots_within_budget(
            offers.price[valid], offers.quantity[valid] // lot, lot, ceiling, money, pricing,
            price_rule,
        )
        quantity = min(quantity, affordable * lot)
    regulator = Bids(bidder=[REGULATOR], price=[ceiling], quantity=[quantity])
    cleared = clear(regulator, offers, price_rule=price_rule, tie_break=tie_break,
                    lot_size=lot, rng=rng, side="supply")
    bought = cleared.offer_sold > 0
    if pricing == "pay_as_bid":
        paid = offers.price
        price = float(offers.price[bought].max()) if bought.any() else math.nan
    else:
        paid = np.full(len(offers), cleared.price if bought.any() else 0.0)
        price = cleared.price
    receipts: NDArray[np.float64] = cleared.offer_sold * paid
    return AuctionResult(
        format="reverse_auction",
        bids=regulator,
        offers=offers,
        clearing_price=price,
        awarded=cleared.awarded,
        payments=np.array([math.fsum(receipts.tolist())]),
        offer_sold=cleared.offer_sold,
        status=cleared.status,
        price_rule=price_rule,
        tie_break=tie_break,
        lot_size=lot,
        receipts=receipts,
    )


def _thresholds(price: NDArray[np.float64], qty: NDArray[np.int64], winners: NDArray[np.intp],
                budget: float) -> NDArray[np.float64]:
    """Each winner's threshold price per permit under the proportional-share rule.

    Placed after ``m`` of the other sellers (cheapest first), a seller wins
    iff its price is at most ``budget / (V_m + q)``, ``V_m`` the permits of
    those ``m``; so its threshold is the largest over ``m`` of
    ``min(price of the (m+1)-th other, budget / (V_m + q))``.
    """
    out = np.empty(winners.size)
    selling = np.flatnonzero(qty > 0)
    for k, i in enumerate(winners):
        others = selling[selling != i]
        order = others[np.argsort(price[others], kind="stable")]
        held = np.concatenate(([0], np.cumsum(qty[order])))
        next_price = np.append(price[order], np.inf)
        candidate = np.minimum(next_price, budget / (held + qty[i]))
        # Rounding down lowers a candidate by an ulp at most: only those at the
        # maximum can still be the threshold, and only they are checked exactly.
        top = candidate == candidate.max()
        out[k] = float(np.max(np.minimum(next_price[top],
                                         _share_down(budget, held[top] + qty[i]))))
    return out


def _share_down(budget: float, permits: NDArray[np.int64]) -> NDArray[np.float64]:
    """``budget / permits`` rounded down, so that ``permits`` times it never exceeds the
    budget in exact arithmetic."""
    share = budget / permits
    over = [k for k, (x, n) in enumerate(zip(share.tolist(), permits.tolist(), strict=True))
            if Fraction(x) * n > Fraction(budget)]
    share[over] = np.nextafter(share[over], 0.0)
    return share


def _times_down(permits: NDArray[np.int64], price: NDArray[np.float64]) -> NDArray[np.float64]:
    """``permits x price`` rounded down: the receipts then add up, exactly, to no more
    than the thresholds allow."""
    paid = permits * price
    over = [k for k, (x, n, p) in enumerate(zip(paid.tolist(), permits.tolist(), price.tolist(),
                                                strict=True))
            if Fraction(x) > Fraction(p) * n]
    paid[over] = np.nextafter(paid[over], 0.0)
    return paid


def _proportional_share(offers: Offers, budget: float) -> AuctionResult:
    if offers.seller is not None and len(set(offers.seller.tolist())) != len(offers):
        raise ValueError("pricing='proportional_share' takes one ask per seller (got repeats)")
    positive = np.flatnonzero(offers.quantity > 0)
    order = positive[np.argsort(offers.price[positive], kind="stable")]
    held = np.cumsum(offers.quantity[order])
    limit = Fraction(budget)
    fits = np.array([Fraction(p) * int(h) <= limit
                     for p, h in zip(offers.price[order].tolist(), held.tolist(), strict=True)],
                    dtype=bool)
    taken = int(np.argmin(fits)) if not fits.all() else fits.size
    winners = order[:taken]
    sold = np.zeros(len(offers), dtype=np.int64)
    sold[winners] = offers.quantity[winners]
    receipts = np.zeros(len(offers))
    receipts[winners] = _times_down(offers.quantity[winners], _thresholds(
        offers.price, offers.quantity, winners, budget))
    total = int(sold.sum())
    return AuctionResult(
        format="reverse_auction",
        bids=Bids(bidder=[REGULATOR], price=[float(receipts.max(initial=0.0))], quantity=[total]),
        offers=offers,
        clearing_price=math.nan,
        awarded=np.array([total]),
        payments=np.array([math.fsum(receipts.tolist())]),
        offer_sold=sold,
        status="cleared" if total else "no_valid_bids",
        price_rule="threshold",
        tie_break="none",
        lot_size=1,
        receipts=receipts,
    )
