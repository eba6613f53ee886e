"""Many independent auctions of one format, cleared in one vectorised call.

Row ``i`` of the 2-D arrays is one auction; column ``j`` is one bidder with
one bid. Auction ``i`` is cleared exactly as the single call

``FORMATS[format](Bids(bidder=range(n), price=price[i], quantity=quantity[i]),
supply[i], reserve_price=reserve_price[i], ..., rng=seeds[i])``

where ``seeds = batch_seeds(rng, n_auctions)``: the same awards, the same
price and status, and the same payments (Vickrey payments to rounding: they
are summed in another order). Experiments clear thousands of auctions this
way at the cost of one sort of packed keys along the rows
(:mod:`auctions._marginal`); only rows whose marginal tie must be broken at
random fall back to a short loop, each with its own generator.

Rows are cleared a chunk at a time (about 10^5 bids), so that the working
arrays stay in the processor's cache; the result's copies of the bids and its
awards share one allocation. Uniform-price and pay-as-bid payments follow
from the awards, the clearing prices and the bids, and are computed when
first read.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Final, Literal, NoReturn, TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._exact import row_fsum
from auctions._marginal import marginal_bids
from auctions._validate import check_choice, check_nonnegative_int, check_price, check_share
from auctions.bids import Bids, Offers
from auctions.clearing import (
    ON_UNDERSUBSCRIBED,
    PRICE_RULES,
    TIE_BREAKS,
    PriceRule,
    SeedLike,
    TieBreak,
    fill_in_order,
    leftover_steps,
    pro_rata_floor,
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
    status : ndarray of str, shape (n_auctions,)
    vickrey_payments : ndarray of float64, shape (n_auctions, n_bids), or None
        Vickrey payments, computed while clearing (they cannot be read off
        the other fields); None for the other formats.
    payments : ndarray of float64, shape (n_auctions, n_bids)
        Money paid for each bid: ``vickrey_payments``, or, computed on first
        use and then kept, the awards times the clearing price
        (uniform-price) or times the bids (pay-as-bid).
    """

    format: str
    price: NDArray[np.float64]
    quantity: NDArray[np.int64]
    supply: NDArray[np.int64]
    reserve_price: NDArray[np.float64]
    clearing_price: NDArray[np.float64]
    awarded: NDArray[np.int64]
    status: NDArray[np.str_]
    options: dict[str, Any]
    vickrey_payments: NDArray[np.float64] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("price", "quantity", "supply", "reserve_price", "clearing_price",
                     "awarded", "status"):
            getattr(self, name).flags.writeable = False
        if self.vickrey_payments is not None:
            self.vickrey_payments.flags.writeable = False

    @cached_property
    def payments(self) -> NDArray[np.float64]:
        """Money paid for each bid, as the single-auction format computes it."""
        if self.vickrey_payments is not None:
            return self.vickrey_payments
        if self.format == "uniform_price":
            paid = self.awarded * np.nan_to_num(self.clearing_price)[:, None]
        else:
            paid = self.awarded * self.price
        paid.flags.writeable = False
        return paid

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
        return row_fsum(self.payments)

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


def _matrix(name: str, values: ArrayLike) -> NDArray[Any]:
    """A 2-D argument of numbers, its values not yet checked."""
    arr = np.asarray(values)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (got shape {arr.shape})")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (got dtype {arr.dtype})")
    return arr


#: The bits of ``inf``: read as unsigned integers, the bits of a float64 are
#: below this exactly when it is finite and non-negative (and not ``-0.0``).
_INF_BITS: Final = np.uint64(0x7FF0_0000_0000_0000)


def _copy_prices(
    arr: NDArray[Any], out: NDArray[np.float64], first_row: int,
) -> tuple[NDArray[np.float64], float]:
    """Checked prices copied into ``out``, with ``-0.0`` read as ``0.0``; and the
    highest."""
    np.copyto(out, arr, casting="unsafe")
    top = out.view(np.uint64).max()
    if not top < _INF_BITS:
        _check_cells("price", out, first_row)
        np.add(out, 0.0, out=out)
        top = out.view(np.uint64).max()
    return out, float(top.view(np.float64))


def _check_values(
    prices: NDArray[np.float64], quantity: NDArray[np.int64], top: float, most: int,
    first_row: int,
) -> None:
    """Raise for the first auction whose bids' total value overflows float64 (every
    payment is bounded by it); ``top`` and ``most`` are the highest price and the
    largest quantity."""
    if math.isfinite(top * float(most) * prices.shape[1]):
        return
    with np.errstate(over="ignore"):
        value = (prices * quantity).sum(axis=1)
    bad = ~np.isfinite(value)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"price x quantity must have a finite total in each auction (auction "
            f"{i + first_row} is worth more than {sys.float_info.max:.4g}: largest price "
            f"{float(prices[i].max())!r}, {int(quantity[i].sum(dtype=object))} permits)")


def _check_totals(quantity: NDArray[np.int64], most: int, first_row: int) -> None:
    """Raise for the first auction whose quantities total 2**63 or more (its running
    sums would leave int64); ``most`` is the largest quantity."""
    if most * quantity.shape[1] < 2**63:
        return
    totals = quantity.sum(axis=1, dtype=object)
    big = [i for i, t in enumerate(totals.tolist()) if t >= 2**63]
    if big:
        i = big[0]
        raise ValueError(f"quantity must total less than 2**63 permits in each auction "
                         f"(auction {i + first_row} has {totals[i]})")


def _copy_quantity(
    arr: NDArray[Any], out: NDArray[np.int64], first_row: int,
) -> tuple[NDArray[np.int64], int]:
    """Checked whole quantities copied into ``out``; and the largest."""
    if arr.dtype.kind == "f":
        _check_cells("quantity", arr, first_row)
        if (arr != np.floor(arr)).any():
            _reject("quantity", arr, arr != np.floor(arr), "whole numbers", first_row)
    np.copyto(out, arr, casting="unsafe")
    most = int(out.view(np.uint64).max())
    if most >= 2**63:
        _reject("quantity", arr, out < 0, ">= 0", first_row)
    return out, most


def _check_cells(name: str, arr: NDArray[Any], first_row: int) -> None:
    """Raise for the first cell that is not a finite non-negative number."""
    if not np.isfinite(arr).all():
        _reject(name, arr, ~np.isfinite(arr), "finite", first_row)
    if (arr < 0).any():
        _reject(name, arr, arr < 0, ">= 0", first_row)


def _reject(
    name: str, arr: NDArray[Any], bad: NDArray[np.bool_], rule: str, first_row: int,
) -> NoReturn:
    i, j = np.argwhere(bad)[0]
    raise ValueError(f"{name} must be {rule} "
                     f"(got {arr[i, j].item()!r} at [{i + first_row}, {j}])")


def _per_auction(name: str, value: ArrayLike, n: int, kind: str) -> NDArray[Any]:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, arr.item(), dtype=arr.dtype)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a number or have one value per auction ({n}); "
                         f"got shape {arr.shape}")
    if kind == "int":
        return _per_auction_counts(name, arr)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        check_price(name, arr[0].item())
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        check_price(name, float(arr[np.argmax(bad)]))
    return np.array(arr, dtype=np.float64)


def _per_auction_counts(name: str, arr: NDArray[Any]) -> NDArray[np.int64]:
    """Whole numbers >= 0 and below 2**63 as int64, or an error naming the first other."""
    if arr.dtype.kind not in "iuf":  # bools, objects (big ints), strings
        for v in arr.tolist():
            check_nonnegative_int(name, v, int64=True)
        return np.array(arr.tolist(), dtype=np.int64)
    if arr.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(arr) & (arr == np.floor(arr)) & (arr >= 0) & (arr < 2.0**63))
    else:
        bad = (arr < 0) | (arr > np.iinfo(np.int64).max) if arr.dtype.kind == "u" else arr < 0
    if bad.any():
        check_nonnegative_int(name, arr[np.argmax(bad)].item(), int64=True)
    return arr.astype(np.int64)


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
    price_in, quantity_in = _matrix("price", price), _matrix("quantity", quantity)
    if price_in.shape != quantity_in.shape:
        raise ValueError(f"price and quantity shapes differ: {price_in.shape} and "
                         f"{quantity_in.shape}")
    n_auctions = price_in.shape[0]
    supplies = _per_auction("supply", supply, n_auctions, "int")
    reserves = _per_auction("reserve_price", reserve_price, n_auctions, "float")
    rule = check_choice("price_rule", options.get("price_rule", "last_accepted"), PRICE_RULES)
    tie = check_choice("tie_break", options.get("tie_break", "pro_rata"), TIE_BREAKS)
    on_under = check_choice("on_undersubscribed", options.get("on_undersubscribed", "sell"),
                            ON_UNDERSUBSCRIBED)
    lot = check_nonnegative_int("lot_size", options.get("lot_size", 1), minimum=1,
                               int64=True)
    share = options.get("bidder_limit")
    limit_share = None if share is None else check_share("bidder_limit", share)
    min_price = check_price("min_price", options.get("min_price"), allow_none=True)
    _check_lots("supply", supplies, lot, 0)
    batch = _Batch(name, supplies, reserves, rule, tie, lot, limit_share,
                   _root(options.get("rng")), price_in.shape)
    rows = max(1, _CHUNK_BIDS // price_in.shape[1])
    for first in range(0, n_auctions, rows):
        batch.clear_chunk(price_in, quantity_in, slice(first, first + rows))
    prices, lots_in, awarded = batch.block
    clearing_price, status = batch.clearing_price, batch.status(on_under, min_price)
    cancel = status == "cancelled"
    if cancel.any():
        awarded[cancel] = 0
        clearing_price[cancel] = np.nan
        if batch.paid is not None:
            batch.paid[cancel] = 0.0
    return BatchResult(
        format=name, price=prices, quantity=lots_in.view(np.int64), supply=supplies,
        reserve_price=reserves, clearing_price=clearing_price, awarded=awarded.view(np.int64),
        status=status.astype(np.str_), options={**options, "lot_size": lot},
        vickrey_payments=batch.paid,
    )


def _check_lots(label: str, arr: NDArray[np.int64], lot: int, first_row: int) -> None:
    if lot > 1 and (arr % lot).any():
        bad = np.argwhere(arr % lot != 0)[0]
        where = [int(bad[0]) + first_row, *bad[1:].tolist()]
        raise ValueError(f"{label} must be whole multiples of lot_size={lot} "
                         f"(got {int(arr[tuple(bad)])} at {where})")


#: Auctions are cleared a chunk of rows at a time, about this many bids, so that
#: the working arrays of a chunk stay in the processor's cache.
_CHUNK_BIDS: Final = 1 << 17


class _Batch:
    """The arrays of a batch being cleared, filled one chunk of rows at a time.

    The three large arrays share one allocation, ``block``: the prices and
    the quantities (copies of the input) and the awards; Vickrey payments,
    which cannot be read off them, are kept in ``paid``. A chunk's sort keys
    and running sums live in ``work``, reused by every chunk.
    """

    def __init__(
        self, name: str, supplies: NDArray[np.int64], reserves: NDArray[np.float64],
        rule: str, tie: str, lot: int, limit_share: Fraction | None,
        root: np.random.SeedSequence, shape: tuple[int, ...],
    ) -> None:
        self.name, self.rule, self.tie, self.lot = name, rule, tie, lot
        self.supplies, self.reserves, self.limit_share, self.root = (
            supplies, reserves, limit_share, root)
        n_auctions, n = shape
        self.block = np.empty((3, n_auctions, n))
        self.paid = np.empty((n_auctions, n)) if name == "vickrey" else None
        self.work = np.empty((2, min(n_auctions, max(1, _CHUNK_BIDS // n)), n), dtype=np.int64)
        self.demand = np.empty(n_auctions, dtype=np.int64)
        self.clearing_price = np.empty(n_auctions)

    def clear_chunk(self, price_in: NDArray[Any], quantity_in: NDArray[Any], rows: slice) -> None:
        """Copy, check and clear the auctions of ``rows``."""
        first = rows.start
        prices, top = _copy_prices(price_in[rows], self.block[0, rows], first)
        quantity, most = _copy_quantity(quantity_in[rows], self.block[1, rows].view(np.int64),
                                        first)
        _check_lots("quantity", quantity, self.lot, first)
        _check_totals(quantity, most, first)
        _check_values(prices, quantity, top, most, first)
        supplies, reserves = self.supplies[rows], self.reserves[rows]
        lots = _valid_lots(prices, quantity, supplies, reserves, self.lot, self.limit_share)
        awarded = self.block[2, rows].view(np.int64)
        work = self.work[:, :len(prices)]
        level, self.demand[rows] = _clear_rows(
            prices, lots, supplies // self.lot, reserves, self.rule, self.tie, self.root, first,
            work, awarded, self.clearing_price[rows], most // self.lot)
        if self.paid is not None:
            np.multiply(_vickrey_rows(prices, lots, awarded, reserves, level), self.lot,
                        out=self.paid[rows])
        if self.lot > 1:
            awarded *= self.lot

    def status(self, on_undersubscribed: str, min_price: float | None) -> NDArray[Any]:
        """Each auction's status, cancellations included."""
        demand = self.demand
        undersubscribed = demand < self.supplies // self.lot
        status = np.where(demand == 0, "no_valid_bids",
                          np.where(undersubscribed, "undersubscribed", "cleared"))
        cancel = np.zeros(len(demand), dtype=bool)
        if on_undersubscribed == "cancel":
            cancel |= undersubscribed & (demand > 0)
        if min_price is not None:
            cancel |= np.nan_to_num(self.clearing_price, nan=np.inf) < min_price
        status[cancel] = "cancelled"
        return status


def _valid_lots(
    prices: NDArray[np.float64], quantity: NDArray[np.int64], supplies: NDArray[np.int64],
    reserves: NDArray[np.float64], lot: int, limit_share: Fraction | None,
) -> NDArray[np.int64]:
    """Lots of each bid that can win: none below the reserve, none above a bidder limit."""
    lots = quantity // lot if lot > 1 else quantity
    highest_reserve = reserves.max()
    if highest_reserve > 0.0 and highest_reserve > prices.min():
        lots = lots * (prices >= reserves[:, None])
    if limit_share is not None:
        cap = np.array([math.floor(limit_share * int(s)) // lot for s in supplies.tolist()])
        lots = np.minimum(lots, cap[:, None])
    return lots


def _clear_rows(
    prices: NDArray[np.float64], lots: NDArray[np.int64], supply: NDArray[np.int64],
    reserves: NDArray[np.float64], rule: str, tie: str, root: np.random.SeedSequence,
    first_row: int, work: NDArray[np.int64], awarded: NDArray[np.int64],
    clearing_price: NDArray[np.float64], most: int,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Fill ``awarded`` (lots) and ``clearing_price``; return each row's marginal price
    level (nan where nothing is traded) and its demand in lots. Row ``k`` is auction
    ``first_row + k``; no bid has more than ``most`` lots."""
    n = prices.shape[1]
    marginal = marginal_bids(prices, lots, supply, work=work, max_lots=most)
    traded = marginal.traded
    level = marginal.level
    trades = traded > 0
    np.multiply(lots, prices > level[:, None], out=awarded)
    left = traded - marginal.above
    alone = np.flatnonzero(marginal.alone & trades)
    flat_marginal = alone * n + marginal.column[alone]
    awarded.ravel()[flat_marginal] = left[alone]
    partial = np.zeros(len(traded), dtype=bool)
    partial[alone] = left[alone] < lots.ravel()[flat_marginal]
    shared = np.flatnonzero(~marginal.alone & trades)
    if shared.size:
        p, q, lv = prices[shared], lots[shared], level[shared, None]
        tied_lots = q * (p == lv)
        tied_total = tied_lots.sum(axis=1)
        awarded[shared] += _ration_rows(tied_lots, left[shared], tied_total, tie, root,
                                        shared + first_row)
        partial[shared] = left[shared] < tied_total
    if not trades.all():
        awarded[~trades] = 0
    read = level if rule == "last_accepted" else _first_rejected(prices, lots, level,
                                                                  partial | ~trades)
    clearing_price[:] = np.where(trades, np.maximum(read, reserves), np.nan)
    return np.where(trades, level, np.nan), marginal.demand


def _first_rejected(
    prices: NDArray[np.float64], lots: NDArray[np.int64], level: NDArray[np.float64],
    partial: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """The level where the marginal bid is partly rejected, else the next bid below it."""
    read = level.copy()
    full = np.flatnonzero(~partial)
    if full.size:
        p = prices[full]
        below = (lots[full] > 0) & (p < level[full, None])
        read[full] = np.where(below, p, -np.inf).max(axis=1)
    return read


def _ration_rows(
    tied_lots: NDArray[np.int64], left: NDArray[np.int64], tied_total: NDArray[np.int64],
    tie: str, root: np.random.SeedSequence, row_ids: NDArray[np.intp],
) -> NDArray[np.int64]:
    """The shares of rows where two or more bids tie at the level (row ``k`` is auction
    ``row_ids[k]``); rows left to chance are rationed one by one."""
    short = left < tied_total
    share = tied_lots.copy()
    rows = np.flatnonzero(short)
    if rows.size == 0:
        return share
    t, units, total = tied_lots[rows], left[rows], tied_total[rows]
    if tie == "pro_rata":
        part = pro_rata_floor(t, units, total)
        chance = part.sum(axis=1) < units
    elif tie == "time":
        part = fill_in_order(t, units)
        chance = np.zeros(rows.size, dtype=bool)
    else:
        part = t
        chance = np.ones(rows.size, dtype=bool)
    share[rows] = part
    drawn = rows[chance]
    at, cols = np.nonzero(tied_lots[drawn])
    starts = np.searchsorted(at, np.arange(drawn.size + 1))
    short_by = units[chance] - part[chance].sum(axis=1)
    for i, k in enumerate(drawn.tolist()):
        tied = cols[starts[i]:starts[i + 1]]
        rng = np.random.default_rng(_child(root, int(row_ids[k])))
        if tie == "pro_rata":
            share[k, tied[leftover_steps(tied.size, int(short_by[i]), rng)]] += 1
        else:
            share[k, tied] = ration(tied_lots[k, tied], int(left[k]), tie, rng)
    return share


def _search_rows(
    cum: NDArray[np.int64], rows: NDArray[np.intp], units: NDArray[np.int64],
) -> NDArray[np.int64]:
    """For each query, the first column of row ``rows[k]`` of ``cum`` (non-decreasing
    along rows) that reaches ``units[k]``: one ``numpy.searchsorted`` over the rows laid
    end to end, each raised above the one before, or row by row where that would leave
    int64."""
    n_rows, n = cum.shape
    big = int(cum[:, -1].max(initial=0)) + 1
    if big * n_rows < 2**62:
        flat = (cum + np.arange(n_rows)[:, None] * big).ravel()
        found: NDArray[np.int64] = np.searchsorted(flat, units + rows * big) - rows * n
        return found
    return np.array([np.searchsorted(cum[r], u) for r, u in zip(rows.tolist(), units.tolist(),
                                                                 strict=True)],
                    dtype=np.int64)


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
    at_level = rejected * (prices == lv)
    others_at_level = at_level.sum(axis=1)[:, None] - at_level
    from_level = np.minimum(awarded, others_at_level)
    rest = awarded - from_level
    order = np.argsort(-prices, axis=1)
    below_sorted = np.take_along_axis(rejected * (prices < lv), order, axis=1)
    price_sorted = np.take_along_axis(prices, order, axis=1)
    cum = np.cumsum(below_sorted, axis=1)
    value = np.cumsum(below_sorted * price_sorted, axis=1)
    total = cum[:, -1]
    query = np.minimum(rest, total[:, None])
    most = int(query.max(initial=0))
    if most <= n:
        # Few distinct depths: the value of the top u lots below the level for
        # every u up to the deepest, then one lookup per bid.
        depths = np.arange(most + 1, dtype=np.int64)
        table = _values_below(cum, value, price_sorted, np.repeat(np.arange(n_auctions), most + 1),
                              np.tile(depths, n_auctions)).reshape(n_auctions, most + 1)
        displaced_below = np.take_along_axis(table, query, axis=1)
    else:
        rows, cols = np.nonzero(query > 0)  # winners that displace lots below the level
        displaced_below = np.zeros((n_auctions, n))
        displaced_below[rows, cols] = _values_below(cum, value, price_sorted, rows,
                                                    query[rows, cols])
    paid: NDArray[np.float64] = (
        from_level * np.nan_to_num(level)[:, None] + displaced_below
        + (rest - query) * reserves[:, None]
    )
    paid *= awarded > 0
    return paid


def _values_below(
    cum: NDArray[np.int64], value: NDArray[np.float64], price_sorted: NDArray[np.float64],
    rows: NDArray[np.intp], units: NDArray[np.int64],
) -> NDArray[np.float64]:
    """The value of the first ``units[k]`` lots of row ``rows[k]`` (lots ``cum``, running
    values ``value``, prices ``price_sorted``, all in sorted order); 0 for no lots."""
    n = cum.shape[1]
    at = rows * n + np.clip(_search_rows(cum, rows, units), 0, n - 1)
    # The steps before ``at`` in full, then part of the step at ``at`` (adding
    # rather than subtracting the unused part, which would cancel digits).
    first = at == rows * n
    before = np.where(first, 0, at - 1)
    value_before = np.where(first, 0.0, value.ravel()[before])
    cum_before = np.where(first, 0, cum.ravel()[before])
    found: NDArray[np.float64] = np.where(
        units > 0, value_before + (units - cum_before) * price_sorted.ravel()[at], 0.0)
    return found
