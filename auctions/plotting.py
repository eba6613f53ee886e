"""Pictures of auctions (needs the ``plot`` extra, matplotlib, imported lazily)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from auctions.result import AuctionResult

__all__ = ["plot_auction"]


def _steps(price: np.ndarray, quantity: np.ndarray, descending: bool) -> tuple[Any, Any]:
    """A step curve: x the cumulative quantity, y the price of each step."""
    order = np.argsort(-price if descending else price, kind="stable")
    q = np.concatenate(([0], np.cumsum(quantity[order])))
    p = price[order]
    return q, np.concatenate((p, p[-1:]))


def plot_auction(result: AuctionResult, ax: Any = None, *, title: str | None = None) -> Any:
    """Draw the demand and supply curves of ``result`` with the clearing point.

    Parameters
    ----------
    result : AuctionResult
        Any auction of the library (sale, repurchase or call market).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from auctions import Bids, uniform_price
    >>> r = uniform_price(Bids(bidder=["a", "b", "c"], price=[12.0, 10.0, 8.0],
    ...                        quantity=[4, 4, 4]), 10, reserve_price=5.0)
    >>> ax = plot_auction(r)
    >>> ax.get_xlabel()
    'permits'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    bids, offers = result.bids, result.offers
    qd, pd_ = _steps(bids.price, bids.quantity, descending=True)
    qs, ps = _steps(offers.price, offers.quantity, descending=False)
    ax.step(qd, pd_, where="post", label="demand (bids)", color="tab:blue")
    ax.step(qs, ps, where="post", label="supply (offers)", color="tab:orange")
    top = max(float(bids.price.max()), float(offers.price.max())) * 1.05
    ax.vlines(qs[-1], ps[-1], top, color="tab:orange")  # nothing more is offered
    ax.set_ylim(0, top)
    if result.sold and not math.isnan(result.clearing_price):
        ax.plot([result.sold], [result.clearing_price], "o", color="black", zorder=3,
                label=f"cleared: {result.sold:,} at {result.clearing_price:,.2f}")
        ax.axhline(result.clearing_price, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("permits")
    ax.set_ylabel("price per permit")
    ax.set_xlim(left=0)
    ax.set_title(title or f"{result.format} ({result.status})")
    ax.legend(loc="best")
    return ax
