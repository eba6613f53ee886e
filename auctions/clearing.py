"""The clearing engine: a demand curve in steps meets a supply curve in steps.

Every sealed-bid format of the library is the same computation, done here
once and vectorised (one sort of the bids, cumulative sums, binary searches;
no Python loop over bids):

1. Bids below the lowest offer price (the reserve) are not valid; a bidder's
   demand above its limit is removed, its lowest-priced lots first.
2. The quantity traded is the largest ``q`` such that the ``q``-th most
   eager unit of demand is priced at least as high as the ``q``-th cheapest
   unit of supply.
3. Bids strictly above the marginal bid price are filled in full; bids at the
   marginal price share what is left under the tie rule, in whole lots.
4. The price rule sets the price, never below the marginal offer: a permit
   offered at a reserve or trigger price never sells below it.

What each winner then pays (uniform price, its own bid, or the bids its units
displace) is decided by the formats in :mod:`auctions.sealed_bid`.

References
----------
Commission Regulation (EU) No 1031/2010, Article 7 (clearing at the bid where
cumulative volume meets supply, random tie order with the marginal bid partly
filled). California Air Resources Board and Quebec MELCCFP, *Detailed Auction
Requirements and Instructions* (pro-rata tie procedure by whole lots with the
remaining lots assigned at random). RGGI, *Auction Notice* (clearing price set
by the highest rejected bid).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, Literal, NamedTuple, TypedDict

import numpy as np
from numpy.typing import NDArray

from auctions._exact import group_sum
from auctions._validate import (
    check_choice,
    check_nonnegative_int,
    check_price,
    check_share,
)
from auctions.bids import Bids, Offers

__all__ = [
    "ON_UNDERSUBSCRIBED",
    "PRICE_RULES",
    "RATION_BY",
    "STATUSES",
    "TIE_BREAKS",
    "Clearing",
    "ClearingOptions",
    "Margins",
    "clear",
    "fill_in_order",
    "leftover_steps",
    "limit_lots",
    "pro_rata_floor",
    "ration",
]

PRICE_RULES: Final = ("last_accepted", "first_rejected")
TIE_BREAKS: Final = ("pro_rata", "random", "time")
RATION_BY: Final = ("bid", "bidder")
ON_UNDERSUBSCRIBED: Final = ("sell", "cancel")
STATUSES: Final = ("cleared", "undersubscribed", "cancelled", "no_valid_bids")

PriceRule = Literal["last_accepted", "first_rejected"]
TieBreak = Literal["pro_rata", "random", "time"]
SeedLike = int | np.random.Generator | np.random.SeedSequence | None


class ClearingOptions(TypedDict, total=False):
    """The keyword options every sealed-bid format accepts (see :func:`clear`)."""

    reserve_price: float
    price_rule: PriceRule
    tie_break: TieBreak
    bidder_limit: float | Mapping[Hashable, int] | None
    lot_size: int
    on_undersubscribed: Literal["sell", "cancel"]
    min_price: float | None
    rng: SeedLike
    ration_by: Literal["bid", "bidder"]


class Margins(NamedTuple):
    """Prices at the margin of a clearing; nan where there is no such unit.

    With ``m`` permits traded, bids sorted high to low and offers low to
    high: the ``m``-th bid unit, the ``(m+1)``-th bid unit, the ``m``-th
    offer unit and the ``(m+1)``-th offer unit (valid units only). Any price
    in ``[max(highest_accepted_offer, highest_rejected_bid),
    min(lowest_accepted_bid, lowest_rejected_offer)]`` clears the market.
    """

    lowest_accepted_bid: float
    highest_rejected_bid: float
    highest_accepted_offer: float
    lowest_rejected_offer: float


@dataclass(frozen=True, kw_only=True, eq=False)
class Clearing:
    """What the engine decided, before any payment rule.

    Attributes
    ----------
    price : float
        The price given by the price rule, bounded below by the marginal
        offer; nan when nothing is sold.
    awarded : ndarray of int64
        Permits awarded to each bid.
    eligible : ndarray of int64
        Permits of each bid that took part: valid (at or above the reserve)
        and within the bidder's limit.
    offers : Offers
        The supply curve that was cleared, with prices raised to the
        reserve price where they were below it.
    offer_sold : ndarray of int64
        Permits sold from each offer step.
    status : str
        One of ``"cleared"``, ``"undersubscribed"``, ``"cancelled"``,
        ``"no_valid_bids"``.
    margins : Margins or None
        The bids and offers at the margin, when anything traded.
    """

    price: float
    awarded: NDArray[np.int64]
    eligible: NDArray[np.int64]
    offers: Offers
    offer_sold: NDArray[np.int64]
    status: str
    margins: Margins | None = None


#: Below this many steps a plain ``numpy.argsort`` is as fast as the packed keys.
_PACKED_SORT_MIN: Final = 1 << 14


def _argsort(values: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """An order that sorts ``values`` ascending (equal values in any order), and the
    sorted values.

    Large arrays are sorted as packed ``int64`` keys, the high bits those of
    the value (flipped so that integers order as the floats do) and the low
    bits the row, with ``numpy.sort``, several times faster than
    ``numpy.argsort``. Values that differ only in the bits given to the row
    may come out of order; the sorted values are checked and such an array
    is sorted again by ``numpy.argsort``.
    """
    n = values.size
    row_bits = max(n - 1, 1).bit_length()
    if n < _PACKED_SORT_MIN or row_bits > 32:
        order = np.argsort(values)
        return order, values[order]
    bits = values.view(np.int64)
    keys = bits >> 63  # all ones for a negative value: flip its other bits
    keys &= np.int64(2**63 - 1)
    keys ^= bits
    keys >>= row_bits
    keys <<= row_bits
    keys |= np.arange(n, dtype=np.int64)
    keys.sort()
    keys &= (1 << row_bits) - 1
    order = keys.view(np.intp)
    ordered = values[order]
    if (ordered[1:] < ordered[:-1]).any():
        order = np.argsort(values)
        ordered = values[order]
    return order, ordered


@dataclass(frozen=True, eq=False)
class _Ladder:
    """Steps of one side sorted from most to least eager.

    ``key`` ascends with eagerness lost: minus the price for bids, the price
    for offers. ``index`` maps sorted positions to rows; ``cum`` is the
    cumulative quantity in lots; ``row_key`` is the key of every row, in row
    order. Steps with no lots are left out; equal keys come in any order.
    """

    index: NDArray[np.intp]
    key: NDArray[np.float64]
    cum: NDArray[np.int64]
    row_key: NDArray[np.float64]

    @classmethod
    def build(cls, key: NDArray[np.float64], lots: NDArray[np.int64]) -> _Ladder:
        if lots.size and lots.min() > 0:
            index, sorted_key = _argsort(key)
        else:
            rows = np.flatnonzero(lots > 0)
            order, sorted_key = _argsort(key[rows])
            index = rows[order]
        return cls(index=index, key=sorted_key, cum=np.cumsum(lots[index]), row_key=key)

    @property
    def total(self) -> int:
        return int(self.cum[-1]) if self.cum.size else 0

    def depth(self, keys: NDArray[np.float64]) -> NDArray[np.int64]:
        """Quantity at least as eager as each of ``keys``."""
        pos = np.searchsorted(self.key, keys, side="right")
        padded = np.concatenate(([0], self.cum))
        return padded[pos]


def pro_rata_floor(
    lots: NDArray[np.int64], units: NDArray[np.int64], total: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Row by row, each step's pro-rata share rounded down: ``lots * units // total``,
    exactly (rows whose products would leave int64 are computed with Python integers).

    Examples
    --------
    >>> pro_rata_floor(np.array([[8, 6, 6], [2**62, 1, 0]]), np.array([10, 2]),
    ...                np.array([20, 2**62 + 1])).tolist()
    [[4, 3, 3], [1, 0, 0]]
    """
    wide = lots.max(axis=1).astype(np.float64) * units >= 2.0**62
    share = np.empty_like(lots)
    narrow = ~wide
    share[narrow] = lots[narrow] * units[narrow, None] // total[narrow, None]
    for i in np.flatnonzero(wide).tolist():
        u, tot = int(units[i]), int(total[i])
        share[i] = [q * u // tot for q in lots[i].tolist()]
    return share


def fill_in_order(lots: NDArray[np.int64], units: NDArray[np.int64]) -> NDArray[np.int64]:
    """Row by row, ``units`` lots filling the steps in column order, each in full.

    Examples
    --------
    >>> fill_in_order(np.array([[8, 6, 6]]), np.array([10])).tolist()
    [[8, 2, 0]]
    """
    before = np.cumsum(lots, axis=1) - lots
    filled: NDArray[np.int64] = np.clip(units[:, None] - before, 0, lots)
    return filled


def leftover_steps(n_steps: int, left_over: int, rng: np.random.Generator) -> NDArray[np.intp]:
    """The tied steps that receive one of the ``left_over`` lots the pro-rata shares
    leave: the first ``left_over`` of a random order of the ``n_steps`` steps.

    Examples
    --------
    >>> leftover_steps(3, 2, np.random.default_rng(0)).tolist()
    [2, 0]
    """
    order: NDArray[np.intp] = rng.permutation(n_steps)[:left_over]
    return order


def ration(
    lots: NDArray[np.int64],
    units: int,
    tie_break: str,
    rng: np.random.Generator,
    *,
    time: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Share ``units`` lots among tied steps holding ``lots`` lots each.

    Parameters
    ----------
    lots : ndarray of int64
        Lots asked for by each tied step, in row (submission) order.
    units : int
        Lots left for them, ``0 <= units <= lots.sum()``.
    tie_break : {"pro_rata", "random", "time"}
        ``"pro_rata"``: each step gets ``floor(lots * units / lots.sum())``
        and the lots left over go one at a time to steps drawn in a random
        order. ``"random"``: steps are filled in full in a random order, the
        marginal one partly. ``"time"``: the same in submission order.
    rng : numpy.random.Generator
        The source of the random orders. It is drawn from only when a choice
        is left to chance: two or more steps share the units and, under
        ``"pro_rata"``, lots are left over.
    time : ndarray, optional
        Submission times of the tied steps; row order when omitted.

    Examples
    --------
    Quebec's procedure: 10 lots left for bids of 8, 6 and 6 lots. The pro-rata
    shares 4, 3, 3 use all ten, so no random draw is needed:

    >>> rng = np.random.default_rng(0)
    >>> ration(np.array([8, 6, 6]), 10, "pro_rata", rng).tolist()
    [4, 3, 3]
    >>> ration(np.array([8, 6, 6]), 10, "time", rng).tolist()
    [8, 2, 0]
    """
    total = int(lots.sum())
    if units >= total:
        return lots.copy()
    if lots.size == 1:
        return np.array([units], dtype=np.int64)
    if tie_break == "pro_rata":
        one_row = pro_rata_floor(lots[None, :], np.array([units]), np.array([total]))
        share: NDArray[np.int64] = one_row[0]
        left_over = units - int(share.sum())
        if left_over:
            share[leftover_steps(lots.size, left_over, rng)] += 1
        return share
    if tie_break == "random":
        order = rng.permutation(lots.size)
    else:
        order = np.arange(lots.size) if time is None else np.argsort(time, kind="stable")
    queued = lots[order]
    filled = fill_in_order(queued[None, :], np.array([units]))[0]
    out = np.empty_like(lots)
    out[order] = filled
    return out


class _Fill(NamedTuple):
    """Lots filled per row, the marginal key, and the key of the first unfilled lot."""

    lots: NDArray[np.int64]
    level: float
    next: float | None


def _fill(
    ladder: _Ladder,
    lots: NDArray[np.int64],
    units: int,
    tie_break: str,
    rng: np.random.Generator,
    time: NDArray[np.float64] | None,
    codes: NDArray[np.int64] | None = None,
) -> _Fill:
    """Fill ``units`` lots down ``ladder``, the tie rule sharing the marginal level
    between steps, or between bidders when their ``codes`` are given."""
    m = int(np.searchsorted(ladder.cum, units, side="left"))
    level = float(ladder.key[m])
    lo = int(np.searchsorted(ladder.key, level, side="left"))
    hi = int(np.searchsorted(ladder.key, level, side="right"))
    above = int(ladder.cum[lo - 1]) if lo else 0
    out = np.multiply(lots, ladder.row_key < level)
    tied = np.sort(ladder.index[lo:hi])
    left = units - above
    tied_time = None if time is None else time[tied]
    if codes is None:
        out[tied] = ration(lots[tied], left, tie_break, rng, time=tied_time)
    else:
        out[tied] = _ration_by_bidder(codes[tied], lots[tied], left, tie_break, rng, tied_time)
    if left < int(ladder.cum[hi - 1]) - above:
        next_key: float | None = level
    else:
        next_key = float(ladder.key[hi]) if hi < ladder.key.size else None
    return _Fill(out, level, next_key)


def limit_lots(
    codes: NDArray[np.int64], price: NDArray[np.float64], lots: NDArray[np.int64],
    limit: int | NDArray[np.int64], time: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Trim each bidder's lots to its limit, removing its lowest-priced lots first.

    Parameters
    ----------
    codes : ndarray of int64
        The bidder code of each bid (``Bids.bidder_codes``).
    price, lots : ndarray
        Each bid's price and lots.
    limit : int or ndarray of int64
        The most lots any bidder may keep, or one limit per bidder code.
    time : ndarray, optional
        Submission times: among one bidder's bids at the same price, the last
        submitted is trimmed first (then the last row).

    Examples
    --------
    >>> limit_lots(np.array([0, 0, 1]), np.array([30.0, 28.0, 29.0]),
    ...            np.array([3, 4, 1]), np.array([5, 10])).tolist()
    [3, 2, 1]
    """
    n_codes = int(codes.max()) + 1 if codes.size else 0
    room = np.broadcast_to(np.asarray(limit, dtype=np.int64), (n_codes,))
    over = group_sum(codes, lots, n_codes) > room
    rows = np.flatnonzero(over[codes])
    if rows.size == 0:
        return lots
    submitted = rows if time is None else time[rows]
    out = lots.copy()
    out[rows] = _fill_in_order(codes[rows], (rows, submitted, -price[rows]), lots[rows], room)
    return out


def _fill_in_order(
    group: NDArray[np.int64], rank: tuple[NDArray[Any], ...], lots: NDArray[np.int64],
    room: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Fill each group's ``room`` over its rows, first by the last key of ``rank``
    (``numpy.lexsort`` order); the lots each row keeps."""
    order = np.lexsort((*rank, group))
    q, g = lots[order], group[order]
    cum = np.cumsum(q)
    starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    base = np.repeat(cum[starts] - q[starts], np.diff(np.append(starts, q.size)))
    out = np.empty_like(lots)
    out[order] = np.clip(room[g] - (cum - q - base), 0, q)
    return out


def _ration_by_bidder(
    codes: NDArray[np.int64], lots: NDArray[np.int64], units: int, tie_break: str,
    rng: np.random.Generator, time: NDArray[np.float64] | None,
) -> NDArray[np.int64]:
    """Share ``units`` between the bidders of tied steps, then over each bidder's steps.

    A bidder's steps count as one quantity, placed where its first step is
    (submitted at its earliest time); its share fills its steps in submission
    order (``time``, then row).
    """
    _, first, group = np.unique(codes, return_index=True, return_inverse=True)
    relabel = np.empty(first.size, dtype=np.int64)
    relabel[np.argsort(first, kind="stable")] = np.arange(first.size)
    group = relabel[group.ravel()]
    pooled = np.zeros(first.size, dtype=np.int64)
    np.add.at(pooled, group, lots)
    pooled_time = None
    if time is not None:
        pooled_time = np.full(first.size, np.inf)
        np.minimum.at(pooled_time, group, time)
    share = ration(pooled, units, tie_break, rng, time=pooled_time)
    rows = np.arange(lots.size)
    return _fill_in_order(group, (rows, rows if time is None else time), lots, share)


@dataclass(frozen=True)
class _Rules:
    reserve_price: float
    price_rule: str
    tie_break: str
    bidder_limit: Fraction | dict[Hashable, int] | None
    lot_size: int
    on_undersubscribed: str
    min_price: float | None
    ration_by: str = "bid"


def _check_rules(
    reserve_price: object,
    price_rule: object,
    tie_break: object,
    bidder_limit: object,
    lot_size: object,
    on_undersubscribed: object,
    min_price: object,
    ration_by: object = "bid",
) -> _Rules:
    reserve = check_price("reserve_price", reserve_price)
    assert reserve is not None
    return _Rules(
        reserve_price=reserve,
        price_rule=check_choice("price_rule", price_rule, PRICE_RULES),
        tie_break=check_choice("tie_break", tie_break, TIE_BREAKS),
        bidder_limit=_check_limit(bidder_limit),
        lot_size=check_nonnegative_int("lot_size", lot_size, minimum=1, int64=True),
        on_undersubscribed=check_choice(
            "on_undersubscribed", on_undersubscribed, ON_UNDERSUBSCRIBED
        ),
        min_price=check_price("min_price", min_price, allow_none=True),
        ration_by=check_choice("ration_by", ration_by, RATION_BY),
    )


def _check_limit(bidder_limit: object) -> Fraction | dict[Hashable, int] | None:
    if bidder_limit is None:
        return None
    if isinstance(bidder_limit, Mapping):
        return {label: check_nonnegative_int(f"bidder_limit[{label!r}]", value, int64=True)
                for label, value in bidder_limit.items()}
    return check_share("bidder_limit", bidder_limit)


def _bidder_room(bids: Bids, rules: _Rules, total: int) -> int | NDArray[np.int64]:
    """The most lots each bidder may win (one number, or one per bidder code)."""
    lot = rules.lot_size
    if isinstance(rules.bidder_limit, Fraction):
        return math.floor(rules.bidder_limit * total) // lot
    assert rules.bidder_limit is not None
    room = np.full(len(bids.bidders), np.iinfo(np.int64).max // 4, dtype=np.int64)
    for i, label in enumerate(bids.bidders.tolist()):
        if label in rules.bidder_limit:
            room[i] = rules.bidder_limit[label] // lot
    return room


def _supply_curve(supply: object, reserve: float) -> Offers:
    if isinstance(supply, Offers):
        if (supply.price < reserve).any():
            return Offers(price=np.maximum(supply.price, reserve), quantity=supply.quantity,
                          seller=supply.seller)
        return supply
    if isinstance(supply, Bids):
        raise TypeError("supply must be an int or an Offers curve (got Bids)")
    return Offers.fixed(check_nonnegative_int("supply", supply, int64=True), price=reserve)


def _in_lots(name: str, quantity: NDArray[np.int64], lot_size: int) -> NDArray[np.int64]:
    if lot_size == 1:
        return quantity
    bad = quantity % lot_size != 0
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name} must be whole multiples of lot_size={lot_size} "
            f"(got {int(quantity[i])} at index {i})"
        )
    return quantity // lot_size


def clear(
    bids: Bids,
    supply: int | Offers,
    *,
    reserve_price: float = 0.0,
    price_rule: PriceRule = "last_accepted",
    tie_break: TieBreak = "pro_rata",
    bidder_limit: float | Mapping[Hashable, int] | None = None,
    lot_size: int = 1,
    on_undersubscribed: Literal["sell", "cancel"] = "sell",
    min_price: float | None = None,
    rng: SeedLike = None,
    side: Literal["demand", "supply", "both"] = "demand",
    max_traded: int | None = None,
    ration_by: Literal["bid", "bidder"] = "bid",
) -> Clearing:
    """Clear ``bids`` against ``supply``: who is awarded what, at what price.

    Parameters
    ----------
    bids : Bids
        The demand.
    supply : int or Offers
        Permits for sale: a number (one step at ``reserve_price``) or a supply
        curve (containment reserves, firms' asks).
    reserve_price : float, default 0
        No bid below it is valid and no permit sells below it.
    price_rule : {"last_accepted", "first_rejected"}
        ``"last_accepted"``: the lowest accepted bid (EU ETS, California-
        Quebec, the Chinese pilots). ``"first_rejected"``: the highest
        rejected bid, or the marginal offer when every valid bid is filled
        (RGGI; the (k+1)-th price). Either is raised to the marginal offer.
    tie_break : {"pro_rata", "random", "time"}
        How bids at the marginal price share what is left (see :func:`ration`).
    bidder_limit : float or mapping, optional
        The most any bidder may win, as a share of the supply offered, in
        (0, 1]; or the most each listed bidder may win, in permits (a
        mapping from bidder to permits; bidders not listed are not limited,
        as with limits by type of entity). The excess is removed from the
        bidder's lowest-priced lots first.
    lot_size : int, default 1
        Permits per lot; every bid and offer quantity must be a multiple.
    on_undersubscribed : {"sell", "cancel"}
        When valid bids ask for fewer permits than are offered: fill them all
        at the price the rule gives (``"sell"``) or sell nothing
        (``"cancel"``).
    min_price : float, optional
        A minimum acceptable clearing price; below it the auction is
        cancelled (the EU ETS cancels when the price is significantly under
        the secondary market).
    rng : int, Generator or SeedSequence, optional
        Seed of the random tie orders (drawn only when a tie is rationed).
    side : {"demand", "supply"}
        The side that competes. ``"demand"`` (a sale): bids compete for the
        offers, the price rule reads the bids and is raised to the marginal
        offer, and too few valid bids is undersubscription. ``"supply"`` (a
        purchase, as in a repurchase): offers compete for the bids, the
        price rule reads the offers (``"last_accepted"``: the highest
        accepted offer; ``"first_rejected"``: the lowest rejected one) and is
        lowered to the marginal bid, and too few valid offers is
        undersubscription. ``"both"`` (a call market): every bid and offer
        takes part and there is no undersubscription; the price rule reads
        the bids as for ``"demand"``.
    max_traded : int, optional
        Trade at most this many permits (a whole number of lots), as in
        McAfee's trade reduction.
    ration_by : {"bid", "bidder"}
        Who shares the lots left at the marginal price under ``tie_break``:
        the tied bids (``"bid"``), or the tied bidders (``"bidder"``: a
        bidder's bids at that price count as one quantity, and its share
        fills them in submission order), as Quebec's regulation shares them
        (Q-2, r. 46.1, s. 52).

    Returns
    -------
    Clearing

    Examples
    --------
    Ten permits at a reserve of 5; the bid at 6 is the last accepted:

    >>> bids = Bids(bidder=["a", "b", "c"], price=[9.0, 6.0, 4.0], quantity=[6, 6, 6])
    >>> c = clear(bids, 10, reserve_price=5.0)
    >>> c.price, c.awarded.tolist(), c.status
    (6.0, [6, 4, 0], 'cleared')
    >>> clear(bids, 10, reserve_price=5.0, price_rule="first_rejected").price
    6.0
    >>> clear(bids, 20, reserve_price=5.0, price_rule="first_rejected").status
    'undersubscribed'
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    rules = _check_rules(
        reserve_price, price_rule, tie_break, bidder_limit, lot_size, on_undersubscribed,
        min_price, ration_by,
    )
    competing = check_choice("side", side, ("demand", "supply", "both"))
    cap = (None if max_traded is None
           else check_nonnegative_int("max_traded", max_traded, int64=True))
    offers = _supply_curve(supply, rules.reserve_price)
    lot = rules.lot_size
    bid_lots = _in_lots("quantity", bids.quantity, lot)
    offer_lots = _in_lots("supply", offers.quantity, lot)
    generator = np.random.default_rng(rng)
    if cap is not None and cap % lot:
        raise ValueError(f"max_traded must be a whole multiple of lot_size={lot} (got {cap})")
    limit = None if cap is None else cap // lot
    return _clear_lots(bids, offers, bid_lots, offer_lots, rules, generator, competing, limit)


def _valid_lots(
    bids: Bids,
    offers: Offers,
    bid_lots: NDArray[np.int64],
    offer_lots: NDArray[np.int64],
    rules: _Rules,
    side: str,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Lots that take part: on the auctioned side, only those that could trade."""
    if side == "both":
        return bid_lots, offer_lots
    if side == "supply":
        wanted = bid_lots > 0
        cap = float(bids.price[wanted].max()) if wanted.any() else 0.0
        return bid_lots, np.where(offers.price <= cap, offer_lots, 0)
    on_sale = offer_lots > 0
    floor = float(offers.price[on_sale].min()) if on_sale.any() else rules.reserve_price
    eligible = bid_lots
    if bids.price.size and floor > bids.price.min():
        eligible = bid_lots * (bids.price >= floor)
    if rules.bidder_limit is not None:
        limit = _bidder_room(bids, rules, offers.total)
        eligible = limit_lots(bids.bidder_codes, bids.price, eligible, limit, bids.time)
    return eligible, offer_lots


def _price(rule: str, side: str, bid: _Fill, offer: _Fill) -> float:
    """The price from the margins: (marginal key, next key) of each ladder.

    On the demand side (sales) the rule reads the bids and is raised to the
    marginal offer; on the supply side (purchases) it reads the offers and is
    lowered to the marginal bid.
    """
    bid_level, next_bid = -bid.level, None if bid.next is None else -bid.next
    offer_level, next_offer = offer.level, offer.next
    if side != "supply":
        read = bid_level if rule == "last_accepted" else next_bid
        return offer_level if read is None else max(read, offer_level)
    read = offer_level if rule == "last_accepted" else next_offer
    return bid_level if read is None else min(read, bid_level)


def _clear_lots(
    bids: Bids,
    offers: Offers,
    bid_lots: NDArray[np.int64],
    offer_lots: NDArray[np.int64],
    rules: _Rules,
    rng: np.random.Generator,
    side: str = "demand",
    max_lots: int | None = None,
) -> Clearing:
    lot = rules.lot_size
    eligible, offered = _valid_lots(bids, offers, bid_lots, offer_lots, rules, side)
    demand = _Ladder.build(-bids.price, eligible)
    supply = _Ladder.build(offers.price, offered)

    def outcome(
        price: float, status: str, awarded: NDArray[np.int64] | None = None,
        sold: NDArray[np.int64] | None = None, margins: Margins | None = None,
    ) -> Clearing:
        return Clearing(
            price=price,
            awarded=_frozen(np.zeros(len(bids), np.int64) if awarded is None
                            else _permits(awarded, lot)),
            eligible=_frozen(_permits(eligible, lot)),
            offers=offers,
            offer_sold=_frozen(np.zeros(len(offers), np.int64) if sold is None
                               else _permits(sold, lot)),
            status=status,
            margins=margins,
        )

    bidding, auctioned = (supply, demand) if side == "supply" else (demand, supply)
    if bidding.total == 0 or (side == "both" and auctioned.total == 0):
        return outcome(math.nan, "no_valid_bids")
    undersubscribed = side != "both" and bidding.total < auctioned.total
    if undersubscribed and rules.on_undersubscribed == "cancel":
        return outcome(math.nan, "cancelled")
    status = "undersubscribed" if undersubscribed else "cleared"
    traded = int(np.minimum(supply.cum, demand.depth(-supply.key)).max(initial=0))
    if max_lots is not None:
        traded = min(traded, max_lots)
    if traded == 0:
        return outcome(math.nan, status)
    codes = bids.bidder_codes if rules.ration_by == "bidder" else None
    bought = _fill(demand, eligible, traded, rules.tie_break, rng, bids.time, codes)
    sold = _fill(supply, offered, traded, rules.tie_break, rng, None)
    price = _price(rules.price_rule, side, bought, sold)
    if rules.min_price is not None and price < rules.min_price:
        return outcome(math.nan, "cancelled")
    margins = Margins(*(math.nan if x is None else x for x in (
        -bought.level, None if bought.next is None else -bought.next, sold.level, sold.next)))
    return outcome(price, status, bought.lots, sold.lots, margins)


def _permits(lots: NDArray[np.int64], lot: int) -> NDArray[np.int64]:
    return lots if lot == 1 else lots * lot


def _frozen(arr: NDArray[np.int64]) -> NDArray[np.int64]:
    arr.flags.writeable = False
    return arr
