"""Per-bidder purchase limits and per-bidder tie steps, as pre-steps of the engine.

The clearing engine's ``bidder_limit`` is one share of the supply for every
bidder. Some programmes set a different limit by type of bidder (Quebec: 25 %
of the units auctioned for an emitter, 4 % for a participant; Shanghai: a
number of tonnes for a covered unit, fewer for an investor). Such limits are
applied here, before clearing, the way Quebec's regulation describes: the
excess lots are removed from the bidder's bids "beginning with the lots
awarded at the lowest price" (Q-2, r. 46.1, s. 52). Bids below the reserve
price are the lowest-priced of a bidder's bids, so removing lots before or
after the reserve check leaves the same valid quantity.

The engine's pro-rata tie rule shares the remaining lots between the tied
*bids*. Quebec's procedure shares them between the tied *bidders*: a bidder's
bids at the settlement price count as one quantity. :func:`pool_steps` merges
each bidder's bids at one price into one step before clearing and
:func:`spread_back` returns the step's award to the bids it came from, in row
order.

References
----------
Quebec, Regulation respecting a cap-and-trade system for greenhouse gas
emission allowances, Q-2, r. 46.1, s. 50 (purchase limits by type of bidder)
and s. 52 (removal of excess lots from the lowest price; shares of the
remaining units between the bidders at the final price).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from auctions._validate import check_nonnegative_int, check_share
from auctions.bids import Bids, Offers
from auctions.clearing import limit_lots

__all__ = ["limits_by_type", "pool_steps", "spread_back", "trim_to_limits"]

#: Lots a bidder without a limit may keep (more than any real bid).
_UNLIMITED = np.iinfo(np.int64).max // 4


def _lots(bids: Bids, lot_size: int) -> NDArray[np.int64]:
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1)
    bad = bids.quantity % lot != 0
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"quantity must be whole multiples of lot_size={lot} "
            f"(got {int(bids.quantity[i])} at index {i})"
        )
    return bids.quantity // lot


def _fill_in_order(
    group: NDArray[np.int64], rank: NDArray[np.int64], lots: NDArray[np.int64],
    room: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Fill each group's ``room`` over its rows in ``rank`` order; lots kept per row."""
    order = np.lexsort((rank, group))
    q, g = lots[order], group[order]
    cum = np.cumsum(q)
    starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    base = np.repeat(cum[starts] - q[starts], np.diff(np.append(starts, q.size)))
    kept = np.clip(room[g] - (cum - q - base), 0, q)
    out = np.empty_like(lots)
    out[order] = kept
    return out


def trim_to_limits(bids: Bids, limits: Mapping[Any, int], *, lot_size: int = 1) -> Bids:
    """Remove each bidder's lots above its limit, its lowest-priced lots first.

    Parameters
    ----------
    bids : Bids
        The bids; quantities whole multiples of ``lot_size``.
    limits : mapping from bidder to int
        The most each bidder may buy, in permits, rounded down to whole lots.
        Bidders not listed are not limited; limits of bidders that did not
        bid are ignored.
    lot_size : int, default 1
        Permits per lot.

    Returns
    -------
    Bids
        The same rows with trimmed quantities (``bids`` itself when nothing
        is trimmed). Among a bidder's bids at one price, the later submitted
        (by ``time``, or row order) lose lots first.

    Raises
    ------
    ValueError, TypeError
        For a negative or fractional limit, or quantities that are not whole
        lots.

    References
    ----------
    Q-2, r. 46.1, s. 52 (excess lots removed beginning with the lowest price).

    Examples
    --------
    A limit of 5,000 on a bidder with bids of 3,000 at 30 and 4,000 at 28:

    >>> bids = Bids(bidder=["a", "a", "b"], price=[30.0, 28.0, 29.0],
    ...             quantity=[3000, 4000, 1000])
    >>> trim_to_limits(bids, {"a": 5000}, lot_size=1000).quantity.tolist()
    [3000, 2000, 1000]
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    if not isinstance(limits, Mapping):
        raise TypeError(f"limits must be a mapping from bidder to permits (got {limits!r})")
    lots = _lots(bids, lot_size)
    room = np.full(len(bids.bidders), _UNLIMITED, dtype=np.int64)
    position = {label: i for i, label in enumerate(bids.bidders.tolist())}
    for label, value in limits.items():
        limit = check_nonnegative_int(f"limits[{label!r}]", value)
        if label in position:
            room[position[label]] = limit // lot_size
    kept = limit_lots(bids.bidder_codes, bids.price, lots, room, bids.time)
    if np.array_equal(kept, lots):
        return bids
    return Bids(bidder=bids.bidder, price=bids.price, quantity=kept * lot_size, time=bids.time)


def pool_steps(bids: Bids) -> tuple[Bids, NDArray[np.int64] | None]:
    """Merge each bidder's bids at one price into one step.

    Returns
    -------
    pooled : Bids
        One row per (bidder, price), in order of first appearance; the
        earliest submission time of the merged rows. ``bids`` itself when no
        two rows share a bidder and a price.
    groups : ndarray of int64 or None
        The pooled row of each original row (None when nothing was merged).

    Examples
    --------
    >>> bids = Bids(bidder=["a", "b", "a"], price=[10.0, 10.0, 10.0], quantity=[3, 6, 2])
    >>> pooled, groups = pool_steps(bids)
    >>> pooled.bidder.tolist(), pooled.quantity.tolist(), groups.tolist()
    (['a', 'b'], [5, 6], [0, 1, 0])
    """
    n = len(bids)
    codes, price = bids.bidder_codes, bids.price
    order = np.lexsort((price, codes))
    c, p = codes[order], price[order]
    new = np.concatenate(([True], (c[1:] != c[:-1]) | (p[1:] != p[:-1])))
    k = int(new.sum())
    if k == n:
        return bids, None
    sorted_group = np.cumsum(new) - 1
    group = np.empty(n, dtype=np.int64)
    group[order] = sorted_group
    first = np.full(k, n, dtype=np.int64)
    np.minimum.at(first, group, np.arange(n))
    relabel = np.empty(k, dtype=np.int64)
    relabel[np.argsort(first, kind="stable")] = np.arange(k)
    group = relabel[group]
    head = np.sort(first)
    quantity = np.zeros(k, dtype=np.int64)
    np.add.at(quantity, group, bids.quantity)
    time = None
    if bids.time is not None:
        time = np.full(k, np.inf)
        np.minimum.at(time, group, bids.time)
    pooled = Bids(bidder=bids.bidder[head], price=price[head], quantity=quantity, time=time)
    return pooled, group


def spread_back(
    awarded: NDArray[np.int64], groups: NDArray[np.int64], quantity: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Spread each pooled step's award over the rows it came from, in row order.

    Examples
    --------
    >>> spread_back(np.array([4, 6]), np.array([0, 1, 0]), np.array([3, 6, 2])).tolist()
    [3, 6, 1]
    """
    rows = np.arange(groups.size, dtype=np.int64)
    return _fill_in_order(groups.astype(np.int64), rows, quantity.astype(np.int64),
                          awarded.astype(np.int64))


def limits_by_type(
    entity_types: Mapping[Any, Hashable],
    *,
    shares: Mapping[Any, float] | None = None,
    quantities: Mapping[Any, int] | None = None,
    supply: int | Offers | None = None,
    lot_size: int = 1,
) -> dict[Hashable, int]:
    """Each bidder's purchase limit, from its type: a share of the supply or a quantity.

    Parameters
    ----------
    entity_types : mapping from bidder to type
        The type of each bidder ("emitter", "participant", ...).
    shares : mapping from type to float, optional
        The limit as a share of ``supply`` in (0, 1], rounded down exactly
        from the share's decimal form, then to whole lots.
    quantities : mapping from type to int, optional
        The limit in permits, rounded down to whole lots. Exactly one of
        ``shares`` and ``quantities`` is given.
    supply : int or Offers, optional
        The permits auctioned; needed with ``shares``.
    lot_size : int, default 1
        Permits per lot.

    Returns
    -------
    dict
        Bidder to limit, in permits.

    Raises
    ------
    ValueError, TypeError
        For a bidder whose type has no limit, both or neither of ``shares``
        and ``quantities``, or ``shares`` without ``supply``.

    References
    ----------
    Q-2, r. 46.1, s. 50: "25 % of the units put up for auction in the case
    of an emitter; 4 % ... in the case of a participant".

    Examples
    --------
    >>> limits_by_type({"utility": "emitter", "fund": "participant"},
    ...                shares={"emitter": 0.25, "participant": 0.04}, supply=1_000_000,
    ...                lot_size=1000)
    {'utility': 250000, 'fund': 40000}
    """
    if (shares is None) == (quantities is None):
        raise ValueError("give exactly one of shares and quantities (got both or neither)")
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1)
    table: Mapping[Hashable, object] = shares if shares is not None else quantities  # type: ignore[assignment]
    total = 0
    if shares is not None:
        if supply is None:
            raise ValueError("supply is needed to turn shares into limits (got None)")
        total = supply.total if isinstance(supply, Offers) else check_nonnegative_int(
            "supply", supply
        )
    out: dict[Hashable, int] = {}
    for bidder, kind in entity_types.items():
        if kind not in table:
            known = ", ".join(map(repr, table))
            raise ValueError(
                f"entity_types[{bidder!r}] must be one of {known} (got {kind!r})"
            )
        if shares is not None:
            limit = math.floor(check_share(f"shares[{kind!r}]", shares[kind]) * Fraction(total))
        else:
            assert quantities is not None
            limit = check_nonnegative_int(f"quantities[{kind!r}]", quantities[kind])
        out[bidder] = limit // lot * lot
    return out
