"""Bids and offers: the two sides of every market the library clears.

A :class:`Bids` table is a demand curve in steps (who bids, at what price per
permit, for how many permits); an :class:`Offers` table is a supply curve in
steps (how many permits are offered at or above what price). Both are frozen
and validated on construction; they copy what they are given, so the caller's
arrays are never changed.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._validate import (
    as_labels,
    as_prices,
    as_quantities,
    check_finite_value,
    check_nonnegative_int,
    check_price,
    check_total_quantity,
    same_length,
)

__all__ = ["Bids", "Offers", "factorize"]


def factorize(labels: NDArray[Any]) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Integer codes for ``labels`` and the distinct labels, in order of first appearance.

    Examples
    --------
    >>> codes, uniques = factorize(np.array(["b", "a", "b"]))
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, 0], ['b', 'a'])
    """
    if labels.dtype != object:
        uniques, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        rank = np.argsort(first, kind="stable")
        relabel = np.empty_like(rank)
        relabel[rank] = np.arange(rank.size)
        return relabel[inverse.ravel()].astype(np.int64), uniques[rank]
    seen: dict[Hashable, int] = {}
    codes = np.fromiter(
        (seen.setdefault(label, len(seen)) for label in labels), dtype=np.int64, count=len(labels)
    )
    uniques = np.empty(len(seen), dtype=object)
    uniques[:] = list(seen)
    return codes, uniques


class _Table:
    """Shared behaviour of :class:`Bids` and :class:`Offers`: frozen, sized."""

    price: NDArray[np.float64]
    quantity: NDArray[np.int64]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen; build a new one instead")

    def _set(self, **fields: object) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.price)

    @property
    def total(self) -> int:
        """The total quantity, in permits."""
        return int(self.quantity.sum())


class Bids(_Table):
    """Sealed bids: a demand curve in steps.

    Parameters
    ----------
    bidder : sequence of hashable
        A label per bid (any hashable: str, int, tuple...). One bidder may
        submit several bids at different prices.
    price : sequence of float
        Price per permit, finite and >= 0.
    quantity : sequence of int
        Permits asked for at that price or less, a whole number >= 0.
    time : sequence of float, optional
        Submission time, used only by the ``"time"`` tie rule. When omitted,
        the row order is the submission order.

    Raises
    ------
    ValueError, TypeError
        For empty input, mismatched lengths, NaN or infinite prices, negative
        or fractional quantities, quantities totalling 2**63 or more,
        unhashable labels, or bids whose total value
        ``sum(price * quantity)`` is beyond the largest float (every payment
        is bounded by it).

    Examples
    --------
    >>> bids = Bids(bidder=["A", "B", "B"], price=[10.0, 9.5, 8.0], quantity=[3, 2, 4])
    >>> len(bids), bids.total
    (3, 9)
    >>> Bids.from_records([("A", 10.0, 3), ("B", 9.5, 2)]).bidder.tolist()
    ['A', 'B']
    """

    bidder: NDArray[Any]
    time: NDArray[np.float64] | None

    def __init__(
        self,
        *,
        bidder: Iterable[Hashable] | ArrayLike,
        price: ArrayLike,
        quantity: ArrayLike,
        time: ArrayLike | None = None,
    ) -> None:
        labels = as_labels("bidder", bidder)
        prices = as_prices("price", price)
        quantities = as_quantities("quantity", quantity)
        times = None if time is None else as_prices("time", time)
        columns = {"bidder": labels, "price": prices, "quantity": quantities}
        if times is not None:
            columns["time"] = times
        same_length(**columns)
        check_finite_value(prices, quantities, check_total_quantity("quantity", quantities))
        self._set(bidder=labels, price=prices, quantity=quantities, time=times)

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> Bids:
        """Bids from ``(bidder, price, quantity)`` tuples or mappings with those keys.

        Mappings may also carry a ``time`` key (all or none of them).
        """
        rows = list(records)
        if not rows:
            raise ValueError("records must not be empty")
        if all(isinstance(r, Mapping) for r in rows):
            keys = ("bidder", "price", "quantity")
            for i, r in enumerate(rows):
                missing = [k for k in keys if k not in r]
                if missing:
                    raise ValueError(f"records[{i}] lacks {', '.join(missing)}")
            times = [r["time"] for r in rows] if all("time" in r for r in rows) else None
            return cls(
                bidder=[r["bidder"] for r in rows],
                price=[r["price"] for r in rows],
                quantity=[r["quantity"] for r in rows],
                time=times,
            )
        for i, r in enumerate(rows):
            if isinstance(r, str | bytes) or not hasattr(r, "__len__") or len(r) != 3:
                raise ValueError(f"records[{i}] must be (bidder, price, quantity) (got {r!r})")
        return cls(
            bidder=[r[0] for r in rows],
            price=[r[1] for r in rows],
            quantity=[r[2] for r in rows],
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        bidder: str = "bidder",
        price: str = "price",
        quantity: str = "quantity",
        time: str | None = None,
    ) -> Bids:
        """Bids from a data frame (pandas, or any object indexable by column name).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"firm": ["A", "B"], "price": [12.0, 11.0], "quantity": [5, 5]})
        >>> Bids.from_frame(df, bidder="firm").total
        10
        """
        columns = [c for c in (bidder, price, quantity, time) if c is not None]
        available = list(getattr(frame, "columns", []))
        for c in columns:
            if available and c not in available:
                raise ValueError(f"frame has no column {c!r} (columns: {available})")

        def column(name: str) -> NDArray[Any]:
            col = frame[name]
            return np.asarray(col.to_numpy() if hasattr(col, "to_numpy") else col)

        return cls(
            bidder=column(bidder),
            price=column(price),
            quantity=column(quantity),
            time=None if time is None else column(time),
        )

    @cached_property
    def _factorized(self) -> tuple[NDArray[np.int64], NDArray[Any]]:
        codes, uniques = factorize(self.bidder)
        codes.flags.writeable = False
        uniques.flags.writeable = False
        return codes, uniques

    @property
    def bidder_codes(self) -> NDArray[np.int64]:
        """An integer code per bid, equal for bids of the same bidder."""
        return self._factorized[0]

    @property
    def bidders(self) -> NDArray[Any]:
        """The distinct bidders, in order of first appearance."""
        return self._factorized[1]

    @property
    def submission_order(self) -> NDArray[np.intp]:
        """Row indices in submission order (by ``time``, ties by row)."""
        if self.time is None:
            return np.arange(len(self))
        return np.argsort(self.time, kind="stable")

    def __repr__(self) -> str:
        return f"Bids({len(self)} bids from {len(self.bidders)} bidders, {self.total} permits)"


class Offers(_Table):
    """A supply curve in steps: ``quantity[i]`` permits offered at ``price[i]`` or more.

    A fixed supply with a reserve price is one step; a cost-containment
    reserve is a second step at its trigger price; firms' asks in a
    repurchase or a call market are one step per ask.

    Parameters
    ----------
    price : sequence of float
        The lowest price at which each step sells, finite and >= 0.
    quantity : sequence of int
        Permits in each step, whole numbers >= 0.
    seller : sequence of hashable, optional
        A label per step.

    Examples
    --------
    >>> curve = Offers(price=[5.0, 13.0], quantity=[100, 10])
    >>> curve.total
    110
    >>> Offers.fixed(50, price=2.5).price.tolist()
    [2.5]
    """

    seller: NDArray[Any] | None

    def __init__(
        self,
        *,
        price: ArrayLike,
        quantity: ArrayLike,
        seller: Iterable[Hashable] | ArrayLike | None = None,
    ) -> None:
        prices = as_prices("price", price)
        quantities = as_quantities("quantity", quantity)
        labels = None if seller is None else as_labels("seller", seller)
        columns = {"price": prices, "quantity": quantities}
        if labels is not None:
            columns["seller"] = labels
        same_length(**columns)
        check_finite_value(prices, quantities, check_total_quantity("quantity", quantities))
        self._set(price=prices, quantity=quantities, seller=labels)

    @classmethod
    def fixed(cls, quantity: int, *, price: float = 0.0) -> Offers:
        """A single step: ``quantity`` permits at the reserve ``price``."""
        q = check_nonnegative_int("supply", quantity, int64=True)
        p = check_price("reserve_price", price)
        return cls(price=np.array([p], dtype=np.float64), quantity=np.array([q], dtype=np.int64))

    def __repr__(self) -> str:
        return f"Offers({len(self)} steps, {self.total} permits)"
