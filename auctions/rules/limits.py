"""Per-bidder purchase limits by type of bidder.

The clearing engine's ``bidder_limit`` is one share of the supply for every
bidder, or one limit in permits per listed bidder. Some programmes set the
limit by type of bidder (Quebec: 25 % of the units auctioned for an emitter,
4 % for a participant; Shanghai: a number of tonnes for a covered unit,
fewer for an investor): :func:`limits_by_type` turns types into limits.
The excess lots are removed the way Quebec's regulation describes,
"beginning with the lots awarded at the lowest price" (Q-2, r. 46.1, s. 52);
:func:`trim_to_limits` shows the bids that remain, with the engine's own
trimming. Bids below the reserve price are the lowest-priced of a bidder's
bids, so removing lots before or after the reserve check leaves the same
valid quantity.

Quebec's procedure shares the lots left at the settlement price between the
tied *bidders*, not the tied bids: the engine's ``ration_by="bidder"``.

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

__all__ = ["limits_by_type", "trim_to_limits"]

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
