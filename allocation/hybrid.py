"""Hybrid allocation: a free-allocation rule for part of the cap, an auction for the rest.

Phase 3 of the EU ETS auctioned the power sector's permits in full and gave
industry a declining share for free; the Sichuan-Chongqing seed (section
4.1.2) recommends Chongqing and Sichuan "adopt a combination of free and
paid allocation" and "gradually raise the proportion of auctioned
allowances". :func:`hybrid` runs any registered rule on the free share of the
cap and sells the rest through :func:`auctions.uniform_price`; the
:class:`~allocation.free_allocation.Allocation` records the permits
auctioned, the auction and its revenue.

References
----------
Directive 2003/87/EC, Articles 10 and 10a (auctioning as the default, free
allocation as the transitional exception); Commission Regulation (EU)
No 1031/2010 (the auction's clearing rules). Sichuan-Chongqing seed of this
project, section 4.1.2.
"""

from __future__ import annotations

from typing import Any

from allocation.firms import Firms
from allocation.free_allocation import Allocation, check_cap
from allocation.rules import AllocationRule, get_rule
from auctions import Bids

__all__ = ["hybrid"]


def hybrid(
    rule: str | AllocationRule,
    firms: Firms,
    cap: int,
    *,
    auction_share: float,
    bids: Bids | None = None,
    **options: Any,
) -> Allocation:
    """Allocate ``1 - auction_share`` of the cap free under ``rule`` and auction the rest.

    Parameters
    ----------
    rule : str or callable
        A registered rule name (or alias), or the rule itself.
    firms : Firms
        The installations.
    cap : int
        The cap, >= 0.
    auction_share : float in [0, 1]
        Share of the cap sold at auction (rounded down to whole permits).
    bids : auctions.Bids, optional
        The bids for the auctioned permits; without bids the permits are
        only set aside for auction (``auctioned``) and no auction is run.
    **options
        The rule's own options (``benchmarks=...``, ``statistic=...``) and
        the common ones (``reserve_share``, ``leftover``,
        ``auction_options``, ``rng``, ``year``).

    Returns
    -------
    Allocation
        With ``auctioned`` the permits put up for sale and, when bids were
        given, ``auction`` and ``revenue``.

    References
    ----------
    Directive 2003/87/EC, Article 10; Regulation (EU) No 1031/2010.

    Examples
    --------
    Half of 1,000 permits grandfathered, half sold at a reserve price of 20:

    >>> from auctions import Bids
    >>> firms = Firms(["a", "b"], product="p", entry_year=2000, base_years=[2020],
    ...               emissions=[[600.0], [400.0]], output=[[1.0], [1.0]],
    ...               current_output=[1.0, 1.0])
    >>> bids = Bids(bidder=["a", "b", "new"], price=[30.0, 25.0, 28.0],
    ...             quantity=[200, 200, 300])
    >>> a = hybrid("grandfathering", firms, 1000, auction_share=0.5, bids=bids,
    ...            auction_options={"reserve_price": 20.0})
    >>> a.permits.tolist(), a.auctioned, a.auction.clearing_price, a.revenue
    ([300, 200], 500, 28.0, 14000.0)
    """
    fn = rule if callable(rule) else get_rule(rule)
    checked = check_cap(cap, allow_none=False)
    return fn(firms, checked, auction_share=auction_share, bids=bids, **options)
