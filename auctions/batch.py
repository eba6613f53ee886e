"""Many independent auctions of one format, cleared in one vectorised call.

Row ``i`` of the 2-D arrays is one auction; column ``j`` is one bidder with
one bid. Auction ``i`` is cleared exactly as the single call

``FORMATS[format](Bids(bidder=range(n), price=price[i], quantity=quantity[i]),
supply[i], reserve_price=reserve_price[i], ..., rng=seeds[i])``

where ``seeds = batch_seeds(rng, n_auctions)``: the same awards, the same
price and status, and the same payments (Vickrey payments to rounding: they
are summed in another order). Experiments clear thousands of auctions this
way at the cost of one sort of the price array along its rows; only rows
whose marginal tie must be broken at random fall back to a short loop, each
with its own generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal, TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._validate import check_choice, check_nonnegative_int, check_price, check_share
from auctions.bids import Bids, Offers
from auctions.clearing import (
    ON_UNDERSUBSCRIBED,
    PRICE_RULES,
    TIE_BREAKS,
    PriceRule,
    SeedLike,
    TieBreak,
    ration,
)
from auctions.registry import get_format
from auctions.result import AuctionResult

__all__ = ["BatchOptions", "BatchResult", "batch_seeds", "clear_batch"]

_FORMATS: Final = ("uniform_price", "pay_as_bid", "vickrey")


class BatchOptions(TypedDict, total=False):
    """The options of :func:`clear_batch` besides the per-auction arrays."""

    price_rule: PriceRule
    tie_break: TieBreak
    bidder_limit: float | None
    lot_size: int
    on_undersubscribed: Literal["sell", "cancel"]
    min_price: float | None
    rng: SeedLike


def _root(rng: SeedLike) -> np.random.SeedSequence:
    if isinstance(rng, np.random.Generator):
        root = rng.bit_generator.seed_seq
        if not isinstance(root, np.random.SeedSequence):  # pragma: no cover - exotic generators
            raise TypeError("rng must be seeded by a SeedSequence to be split into a batch")
        return root
    if isinstance(rng, np.random.SeedSequence):
        return rng
    return np.random.SeedSequence(rng)


def _child(root: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """The ``i``-th child ``root.spawn`` would give, without spawning the others."""
    return np.random.SeedSequence(
        root.entropy,
        spawn_key=(*root.spawn_key, root.n_children_spawned + i),
        pool_size=root.pool_size,
    )


def batch_seeds(rng: SeedLike, n_auctions: int) -> list[np.random.SeedSequence]:
    """The seed of each auction in a batch: the children of one ``SeedSequence``.

    ``rng`` itself is not advanced: the same ``rng`` gives the same seeds.

    Examples
    --------
    >>> [s.spawn_key for s in batch_seeds(7, 2)]
    [(0,), (1,)]
    """
    root = _root(rng)
    return [_child(root, i) for i in range(n_auctions)]


@dataclass(frozen=True, kw_only=True, eq=False)
class BatchResult:
    """The outcome of a batch of auctions, one row per auction (read-only arrays).

    Attributes
    ----------
    format : str
    price, quantity : ndarray, shape (n_auctions, n_bids)
        The bids.
    supply : ndarray of int64, shape (n_auctions,)
    reserve_price : ndarray of float64, shape (n_auctions,)
    clearing_price : ndarray of float64, shape (n_auctions,)
        nan where nothing was sold.
    awarded : ndarray of int64, shape (n_auctions, n_bids)
    payments : ndarray of float64, shape (n_auctions, n_bids)
    status : ndarray of str, shape (n_auctions,)
    """

    format: str
    price: NDArray[np.float64]
    quantity: NDArray[np.int64]
    supply: NDArray[np.int64]
    reserve_price: NDArray[np.float64]
    clearing_price: NDArray[np.float64]
    awarded: NDArray[np.int64]
    payments: NDArray[np.float64]
    status: NDArray[np.str_]
    options: dict[str, Any]

    def __post_init__(self) -> None:
        for name in ("price", "quantity", "supply", "reserve_price", "clearing_price",
                     "awarded", "payments", "status"):
            getattr(self, name).flags.writeable = False

    def __len__(self) -> int:
        return int(self.price.shape[0])

    @property
    def sold(self) -> NDArray[np.int64]:
        """Permits sold in each auction."""
        sold: NDArray[np.int64] = self.awarded.sum(axis=1)
        return sold

    @property
    def unsold(self) -> NDArray[np.int64]:
        """Permits left unsold in each auction."""
        return self.supply - self.sold

    @property
    def revenue(self) -> NDArray[np.float64]:
        """Each auction's revenue, the exact sum of its payments."""
        return np.array([math.fsum(row) for row in self.payments.tolist()])

    def auction(self, i: int) -> AuctionResult:
        """Auction ``i`` as an :class:`~auctions.result.AuctionResult`."""
        n = self.price.shape[1]
        offers = Offers.fixed(int(self.supply[i]), price=float(self.reserve_price[i]))
        return AuctionResult(
            format=self.format,
            bids=Bids(bidder=np.arange(n), price=self.price[i], quantity=self.quantity[i]),
            offers=offers,
            clearing_price=float(self.clearing_price[i]),
            awarded=self.awarded[i],
            payments=self.payments[i],
            offer_sold=np.array([int(self.awarded[i].sum())]),
            status=str(self.status[i]),
            price_rule=self.options.get("price_rule", "last_accepted"),
            tie_break=self.options.get("tie_break", "pro_rata"),
            lot_size=int(self.options.get("lot_size", 1)),
        )


def _as_matrix(name: str, values: ArrayLike, kind: str) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (got shape {arr.shape})")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (got dtype {arr.dtype})")
    if not np.isfinite(arr).all():
        i, j = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} must be finite (got {arr[i, j].item()!r} at [{i}, {j}])")
    if (arr < 0).any():
        i, j = np.argwhere(arr < 0)[0]
        raise ValueError(f"{name} must be >= 0 (got {arr[i, j].item()!r} at [{i}, {j}])")
    if kind == "int":
        if arr.dtype.kind == "f" and (arr != np.floor(arr)).any():
            i, j = np.argwhere(arr != np.floor(arr))[0]
            got = arr[i, j].item()
            raise ValueError(f"{name} must be whole numbers (got {got!r} at [{i}, {j}])")
        return np.array(arr, dtype=np.int64)
    return np.array(arr, dtype=np.float64)


def _per_auction(name: str, value: ArrayLike, n: int, kind: str) -> NDArray[Any]:
    arr = np.asarray(value)
    if arr.ndim == 0:
        if arr.dtype.kind not in "iuf":
            (check_nonnegative_int if kind == "int" else check_price)(name, arr.item())
        arr = np.full(n, arr.item())
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a number or have one value per auction ({n}); "
                         f"got shape {arr.shape}")
    if kind == "int":
        if arr.dtype.kind not in "iu":
            check_nonnegative_int(name, arr[np.argmax(arr != np.floor(arr))].item()
                                  if arr.dtype.kind == "f" else arr[0])
        bad = arr < 0
        if bad.any():
            check_nonnegative_int(name, int(arr[np.argmax(bad)]))
        return np.array(arr, dtype=np.int64)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        check_price(name, arr[0].item())
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        check_price(name, float(arr[np.argmax(bad)]))
    return np.array(arr, dtype=np.float64)


def clear_batch(
    price: ArrayLike,
    quantity: ArrayLike,
    supply: ArrayLike,
    *,
    format: str = "uniform_price",
    reserve_price: ArrayLike = 0.0,
    **options: Unpack[BatchOptions],
) -> BatchResult:
    """Clear ``n_auctions`` independent auctions of one format at once.

    Parameters
    ----------
    price, quantity : array_like, shape (n_auctions, n_bids)
        Each row the bids of one auction; each column a bidder with one bid.
        A zero quantity is an absent bid.
    supply : int or array_like of int, shape (n_auctions,)
        Permits for sale in each auction.
    format : {"uniform_price", "pay_as_bid", "vickrey"} or an alias
        The payment rule.
    reserve_price : float or array_like, shape (n_auctions,)
        Each auction's reserve.
    **options
        ``price_rule``, ``tie_break``, ``bidder_limit``, ``lot_size``,
        ``on_undersubscribed``, ``min_price``, ``rng`` as in
        :func:`auctions.clearing.clear`; ``rng`` seeds the whole batch (see
        :func:`batch_seeds`).

    Returns
    -------
    BatchResult

    Examples
    --------
    Two auctions of three bidders:

    >>> r = clear_batch([[9.0, 7.0, 5.0], [4.0, 8.0, 6.0]], [[2, 2, 2], [2, 2, 2]], [3, 4])
    >>> r.clearing_price.tolist(), r.awarded.tolist()
    ([7.0, 6.0], [[2, 1, 0], [0, 2, 2]])
    """
    name = get_format(format).__name__
    prices = _as_matrix("price", price, "float")
    lots_in = _as_matrix("quantity", quantity, "int")
    if prices.shape != lots_in.shape:
        raise ValueError(f"price and quantity shapes differ: {prices.shape} and {lots_in.shape}")
    n_auctions = prices.shape[0]
    supplies = _per_auction("supply", supply, n_auctions, "int")
    reserves = _per_auction("reserve_price", reserve_price, n_auctions, "float")
    rule = check_choice("price_rule", options.get("price_rule", "last_accepted"), PRICE_RULES)
    tie = check_choice("tie_break", options.get("tie_break", "pro_rata"), TIE_BREAKS)
    on_under = check_choice("on_undersubscribed", options.get("on_undersubscribed", "sell"),
                            ON_UNDERSUBSCRIBED)
    lot = check_nonnegative_int("lot_size", options.get("lot_size", 1), minimum=1)
    share = options.get("bidder_limit")
    limit_share = None if share is None else check_share("bidder_limit", share)
    min_price = check_price("min_price", options.get("min_price"), allow_none=True)
    for label, arr in (("quantity", lots_in), ("supply", supplies)):
        if (arr % lot).any():
            bad = np.argwhere(arr % lot != 0)[0]
            raise ValueError(f"{label} must be whole multiples of lot_size={lot} "
                             f"(got {int(arr[tuple(bad)])} at {bad.tolist()})")
    root = _root(options.get("rng"))

    lots = np.where(prices >= reserves[:, None], lots_in // lot, 0)
    supply_lots = supplies // lot
    if limit_share is not None:
        cap = np.array([math.floor(limit_share * int(s)) // lot for s in supplies.tolist()])
        lots = np.minimum(lots, cap[:, None])
    cleared = _clear_rows(prices, lots, supply_lots, reserves, rule, tie, root)
    awarded_lots, clearing_price, status, tied_info = cleared
    demand = lots.sum(axis=1)
    undersubscribed = demand < supply_lots
    status = np.where((status == "cleared") & undersubscribed, "undersubscribed", status)
    cancel = undersubscribed & (demand > 0) if on_under == "cancel" else np.zeros(n_auctions, bool)
    if min_price is not None:
        cancel |= np.nan_to_num(clearing_price, nan=np.inf) < min_price
    status = np.where(cancel, "cancelled", status)
    awarded_lots[cancel] = 0
    clearing_price[cancel] = np.nan
    awarded = awarded_lots * lot
    payments = _payments(name, prices, lots, awarded_lots, reserves, clearing_price,
                         tied_info, lot)
    payments[cancel] = 0.0
    return BatchResult(
        format=name, price=prices, quantity=lots_in, supply=supplies, reserve_price=reserves,
        clearing_price=clearing_price, awarded=awarded, payments=payments,
        status=status.astype(np.str_), options={**options, "lot_size": lot},
    )


def _clear_rows(
    prices: NDArray[np.float64], lots: NDArray[np.int64], supply: NDArray[np.int64],
    reserves: NDArray[np.float64], rule: str, tie: str, root: np.random.SeedSequence,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[Any], NDArray[np.float64]]:
    """Awards (lots), prices, statuses and each row's marginal price level."""
    n_auctions, n = prices.shape
    rows = np.arange(n_auctions)
    demand = lots.sum(axis=1)
    traded = np.minimum(supply, demand)
    flat = np.argsort(-prices, axis=1) + (rows * n)[:, None]
    sorted_price = prices.ravel()[flat]
    cum = np.cumsum(lots.ravel()[flat], axis=1)
    marginal = np.minimum(np.argmax(cum >= traded[:, None], axis=1), n - 1)
    level = sorted_price[rows, marginal]
    positive = lots > 0
    above = positive & (prices > level[:, None])
    tied = positive & (prices == level[:, None])
    left = traded - np.where(above, lots, 0).sum(axis=1)
    tied_lots = np.where(tied, lots, 0)
    tied_total = tied_lots.sum(axis=1)
    awarded = np.where(above, lots, 0) + _ration_rows(tied_lots, tied, left, tied_total, tie,
                                                      root)
    awarded[traded == 0] = 0
    if rule == "last_accepted":
        read = level
    else:
        next_bid = np.where(positive & (prices < level[:, None]), prices, -np.inf).max(axis=1)
        read = np.where(left < tied_total, level, next_bid)
    clearing_price = np.where(traded > 0, np.maximum(read, reserves), np.nan)
    status = np.where(demand == 0, "no_valid_bids", "cleared")
    return awarded, clearing_price, status, np.where(traded > 0, level, np.nan)


def _ration_rows(
    tied_lots: NDArray[np.int64], tied: NDArray[np.bool_], left: NDArray[np.int64],
    tied_total: NDArray[np.int64], tie: str, root: np.random.SeedSequence,
) -> NDArray[np.int64]:
    """Each tied bid's share (zero elsewhere); rows left to chance are rationed one by one."""
    short = left < tied_total
    many = tied.sum(axis=1) > 1
    alone = short & ~many
    share = np.where(alone[:, None] & tied, left[:, None], tied_lots)
    rows = np.flatnonzero(short & many)
    if rows.size == 0:
        return share
    t, units, total = tied_lots[rows], left[rows], tied_total[rows]
    if tie == "pro_rata":
        part = t * units[:, None] // total[:, None]
        chance = part.sum(axis=1) < units
    elif tie == "time":
        part = np.clip(units[:, None] - (np.cumsum(t, axis=1) - t), 0, t)
        chance = np.zeros(rows.size, dtype=bool)
    else:
        part = t
        chance = np.ones(rows.size, dtype=bool)
    share[rows] = part
    for i in rows[chance]:
        cols = np.flatnonzero(tied[i])
        share[i, cols] = ration(tied_lots[i, cols], int(left[i]), tie,
                                np.random.default_rng(_child(root, int(i))))
    return share


def _payments(
    name: str, prices: NDArray[np.float64], lots: NDArray[np.int64],
    awarded: NDArray[np.int64], reserves: NDArray[np.float64],
    clearing_price: NDArray[np.float64], level: NDArray[np.float64], lot: int,
) -> NDArray[np.float64]:
    """Payments per bid, computed as the single-auction formats compute them."""
    if name == "uniform_price":
        paid: NDArray[np.float64] = (awarded * lot) * np.nan_to_num(clearing_price)[:, None]
        return paid
    if name == "pay_as_bid":
        bid_paid: NDArray[np.float64] = (awarded * lot) * prices
        return bid_paid
    per_lot: NDArray[np.float64] = _vickrey_rows(prices, lots, awarded, reserves, level) * lot
    return per_lot


def _vickrey_rows(
    prices: NDArray[np.float64], lots: NDArray[np.int64], awarded: NDArray[np.int64],
    reserves: NDArray[np.float64], level: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Vickrey payments when every bid is its own bidder.

    A winner displaces first the other bids' rejected lots at the marginal
    price, then the rejected lots below it (highest first), then permits
    that would otherwise go unsold, valued at the reserve.
    """
    n_auctions, n = prices.shape
    rejected = lots - awarded
    lv = np.nan_to_num(level, nan=-np.inf)[:, None]
    at_level = np.where(prices == lv, rejected, 0)
    others_at_level = at_level.sum(axis=1)[:, None] - at_level
    from_level = np.minimum(awarded, others_at_level)
    rest = awarded - from_level
    below = np.where(prices < lv, rejected, 0)
    order = np.argsort(-prices, axis=1)
    below_sorted = np.take_along_axis(below, order, axis=1)
    price_sorted = np.take_along_axis(prices, order, axis=1)
    cum = np.cumsum(below_sorted, axis=1)
    value = np.cumsum(below_sorted * price_sorted, axis=1)
    total = cum[:, -1]
    big = int(total.max(initial=0)) + int(rest.max(initial=0)) + 1
    offset = np.arange(n_auctions)[:, None] * big
    flat = (cum + offset).ravel()
    query = np.minimum(rest, total[:, None])
    pos = np.searchsorted(flat, (query + offset).ravel(), side="left").reshape(n_auctions, n)
    col = np.clip(pos - np.arange(n_auctions)[:, None] * n, 0, n - 1)
    row = np.arange(n_auctions)[:, None]
    cum_at, value_at, price_at = cum[row, col], value[row, col], price_sorted[row, col]
    partial = value_at - (cum_at - query) * price_at
    displaced_below = np.where(query > 0, partial, 0.0)
    unsold_units = rest - query
    paid: NDArray[np.float64] = (
        from_level * np.nan_to_num(level)[:, None] + displaced_below
        + unsold_units * reserves[:, None]
    )
    return np.where(awarded > 0, paid, 0.0)
