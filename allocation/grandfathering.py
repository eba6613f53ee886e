"""Grandfathering: free permits in proportion to historical emissions.

Also called the historical emissions method (历史排放法 / 历史总量下降法 in the
Chinese pilots) or allocation on historical baselines. Each installation's
baseline is a statistic of its emissions over the base years (the mean, the
highest year, the most recent year or the median), optionally multiplied by a
control coefficient (控排系数), and the baselines are scaled to the cap.

Grandfathering rewards past emissions: an installation gets more permits the
more it emitted, and a new entrant, having no base-year emissions, gets none
unless a new-entrant reserve serves it. This is the unfairness the seeds of
this project describe (incumbents' free permits against entrants' paid ones);
:mod:`allocation.fairness` measures it.

References
----------
Ellerman, A. D., Convery, F. J. and de Perthuis, C. (2010). *Pricing Carbon:
The European Union Emissions Trading Scheme*. Cambridge University Press,
chapter 3 (allocation on historical emissions in phases 1 and 2).
Tianjin Municipal Bureau of Ecology and Environment, notice on the 2021
allowance allocation (2021 年度碳排放配额安排): the historical emission
method, quota = base-year emissions x control coefficient 0.98, the base year
being the higher-emitting of 2019 and 2020.
Yunnan seed of this project, section 2.2 (free permits fixed for old
enterprises before the system began, new enterprises paying).
"""

from __future__ import annotations

from typing import Literal, Unpack

import numpy as np
from numpy.typing import ArrayLike

from allocation.firms import Firms, shown
from allocation.free_allocation import (
    STATISTICS,
    Allocation,
    AllocationOptions,
    allocate,
    check_cap,
    history_statistic,
    per_firm,
)
from auctions._validate import check_choice

__all__ = ["grandfathering"]


def grandfathering(
    firms: Firms,
    cap: int | None,
    *,
    statistic: Literal["mean", "median", "max", "last"] = "mean",
    coefficient: float | ArrayLike | dict[object, float] = 1.0,
    scaling: Literal["proportional", "down"] = "proportional",
    **options: Unpack[AllocationOptions],
) -> Allocation:
    """Free permits in proportion to each installation's historical emissions.

    Parameters
    ----------
    firms : Firms
        The installations.
    cap : int or None
        Permits to distribute, >= 0; None to give each installation its
        baseline times the coefficient (a bottom-up total).
    statistic : {"mean", "median", "max", "last"}, default "mean"
        The baseline: mean of the recorded base years, their median, the
        highest year, or the most recent recorded year.
    coefficient : float, sequence or mapping by sector, default 1.0
        A control coefficient multiplying each baseline, >= 0.
    scaling : {"proportional", "down"}, default "proportional"
        ``"proportional"`` scales the baselines to exhaust the free budget
        (up or down); ``"down"`` keeps them when they fit and scales down
        only when they exceed it.
    **options
        ``reserve_share``, ``auction_share``, ``leftover``, ``bids``,
        ``auction_options``, ``rng``, ``year``: see
        :mod:`allocation.free_allocation`. A new entrant served from a
        reserve is grandfathered on its ``current_emissions``.

    Returns
    -------
    Allocation

    Raises
    ------
    ValueError, TypeError
        For a negative cap, an unknown statistic, a bad coefficient, shares
        outside [0, 1], or a reserve serving new entrants whose current
        emissions are unknown.

    References
    ----------
    Ellerman, Convery and de Perthuis (2010), *Pricing Carbon*, chapter 3;
    Tianjin 2021 allocation notice (base year emissions x 0.98).

    Examples
    --------
    Two incumbents and a new entrant share 1,000 permits. The new entrant has
    no history and receives nothing:

    >>> nan = float("nan")
    >>> firms = Firms(["a", "b", "new"], product="cement", entry_year=[1990, 1995, 2021],
    ...               base_years=[2019, 2020],
    ...               emissions=[[600.0, 400.0], [300.0, 300.0], [nan, nan]],
    ...               output=[[1.0, 1.0], [1.0, 1.0], [nan, nan]],
    ...               current_output=[1.0, 1.0, 1.0], current_emissions=[500.0, 300.0, 300.0])
    >>> grandfathering(firms, 1000).permits.tolist()
    [625, 375, 0]

    The highest year instead of the mean, times a coefficient of 0.98, with
    no cap (Tianjin's 2021 formula):

    >>> grandfathering(firms, None, statistic="max", coefficient=0.98).permits.tolist()
    [588, 294, 0]

    A 10 % new-entrant reserve serves the entrant on its current emissions,
    corrected by the same factor as the incumbents:

    >>> a = grandfathering(firms, 1000, reserve_share=0.1)
    >>> a.permits.tolist(), a.from_reserve, a.reserved
    ([563, 337, 100], 100, 0)
    """
    checked = check_cap(cap)
    stat = check_choice("statistic", statistic, STATISTICS)
    coef = per_firm("coefficient", coefficient, firms, by="sector")
    baseline = history_statistic(firms.emissions, firms.recorded, stat)
    entitlement = baseline * coef
    claim = None
    if options.get("reserve_share", 0.0) and firms.is_new_entrant.any():
        claim = _entrant_claim(firms, coef)
    return allocate(
        "grandfathering",
        firms,
        checked,
        entitlement,
        entrant_claim=claim,
        scaling=scaling,
        options=options,
    )


def _entrant_claim(firms: Firms, coef: np.ndarray) -> np.ndarray:
    new = firms.is_new_entrant
    current = firms.current_emissions
    if current is None or np.isnan(current[new]).any():
        missing = new if current is None else new & np.isnan(current)
        first = firms.id[int(np.argmax(missing))]
        raise ValueError(
            "reserve_share > 0: grandfathering serves new entrants on their "
            f"current_emissions, which firm {shown(first)} lacks"
        )
    out: np.ndarray = np.where(new, current * coef, 0.0)
    return out
