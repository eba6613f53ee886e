# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Equal quantity: permits equal to the quantity emitted in the compliance year.

The equal-quantity method (等量法) is the first of the methods Chongqing's
regulator may use to set an installation's quota: "the Chongqing Municipal
Bureau of Ecology and Environment may flexibly adopt the equal quantity
method, industry benchmark method, historical intensity reduction method and
other methods" (Detailed Rules for the Administration of Carbon Emission
Allowances in Chongqing, 渝环规〔2023〕3号, Article 8, as summarised in the
Sichuan-Chongqing seed, section 4.1.2; the bureau's policy Q&A of
18 June 2024 lists "等量法、行业基准线法、历史强度下降法或历史总量下降法").

**What we implement, and how sure we are.** Neither text we could consult
defines the method; the definition is set in Chongqing's yearly allocation
plans, whose text we could not read in full. We read 等量 ("equal amount")
as it is read for the other pilots' pass-through treatment: an installation's
quota equals the quantity it emits in the compliance year (its verified, or
declared, emissions), optionally times a control coefficient. This reading
fits what we could confirm of Chongqing's practice: quotas are verified
unit by unit and summed bottom-up into the total, to which a government
reserve of 5 % is added and cancelled if unused (2023 allocation plan,
渝环办〔2024〕162号, as reported by China Cement Net and instrument.com.cn,
September 2024); in the pilot years installations declared their emissions
and the regulator allocated and then adjusted (seed, section 4.1.2:
"declaration, allocation and adjustment"), handing out 125,197,019 permits
to 242 installations for 2013 (渝发改环〔2014〕548号) and pre-allocating
115.7 million for 2014, cut to 106.3 million after verification
(Carbon Pulse, 1 June 2015). It is our reading, not a quotation; treat it
as such.

When the quotas exceed the cap, all are scaled down by one factor
(``scaling="down"``, as for the other rules). Because the quota follows the
current year, incumbents and new entrants of identical output and
technology receive the same permits; but an installation that emits more
receives more, so the rule gives no incentive to abate beyond the
coefficient (the seed's complaint that the free allocation "cannot create a
sense of crisis for enterprises").

References
----------
重庆市生态环境局, 重庆市碳排放配额管理细则 (渝环规〔2023〕3号), Articles 8
and 10. 重庆市生态环境局, "重庆碳市场碳排放配额分配方式是什么?", policy Q&A,
18 June 2024 (sthjj.cq.gov.cn). 重庆市生态环境局办公室, 重庆市2023年度碳排放配额
分配实施方案 (渝环办〔2024〕162号). 重庆市发展和改革委员会, 关于下达重庆市2013年度
碳排放配额的通知 (渝发改环〔2014〕548号). Sichuan-Chongqing seed of this
project, section 4.1.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Unpack

import numpy as np
from numpy.typing import ArrayLike

from allocation.firms import Firms, shown
from allocation.free_allocation import (
    Allocation,
    AllocationOptions,
    allocate,
    check_cap,
    per_firm,
)

__all__ = ["equal_quantity"]


def equal_quantity(
    firms: Firms,
    cap: int | None,
    *,
    emissions: ArrayLike | None = None,
    coefficient: float | ArrayLike | Mapping[Any, float] = 1.0,
    scaling: Literal["down", "proportional"] = "down",
    **options: Unpack[AllocationOptions],
) -> Allocation:
    """Chongqing's equal-quantity method: permits = compliance-year emissions x coefficient.

    Parameters
    ----------
    firms : Firms
        The installations.
    cap : int or None
        Permits available, >= 0; None for the bottom-up total.
    emissions : sequence of float, optional
        Each installation's emissions in the compliance year (verified or
        declared), finite and >= 0; defaults to ``firms.current_emissions``.
    coefficient : float, sequence or mapping by sector, default 1.0
        A control coefficient in [0, 1].
    scaling : {"down", "proportional"}, default "down"
        See :mod:`allocation.free_allocation`.
    **options
        ``reserve_share``, ``auction_share``, ``leftover``, ``bids``,
        ``auction_options``, ``rng``, ``year``: see
        :mod:`allocation.free_allocation`.

    Returns
    -------
    Allocation

    Raises
    ------
    ValueError, TypeError
        When the compliance-year emissions are unknown for some installation,
        negative or not finite; for a coefficient outside [0, 1], a negative
        cap, shares outside [0, 1].

    References
    ----------
    渝环规〔2023〕3号, Article 8; 渝环办〔2024〕162号 (see the module notes on
    what is confirmed).

    Examples
    --------
    Chongqing's 2023 plan: the units' quotas summed bottom-up are 95 % of the
    total and a 5 % government reserve, cancelled if unused, makes up the
    rest. Three units that emitted 600, 300 and 50 t in the compliance year
    (their 950 t are 95 % of a total of 1,000):

    >>> firms = Firms(["u1", "u2", "u3"], product="cement", entry_year=[2000, 2010, 2015],
    ...               base_years=[2022], emissions=[[610.0], [290.0], [55.0]],
    ...               output=[[1000.0], [500.0], [90.0]], current_output=[1000.0, 500.0, 80.0],
    ...               current_emissions=[600.0, 300.0, 50.0])
    >>> a = equal_quantity(firms, 1000, reserve_share=0.05, leftover="cancel")
    >>> a.permits.tolist(), a.reserved, a.cancelled
    ([600, 300, 50], 50, 50)

    A tighter cap scales every quota down by the same factor:

    >>> equal_quantity(firms, 760).permits.tolist()
    [480, 240, 40]
    """
    checked = check_cap(cap)
    coef = per_firm("coefficient", coefficient, firms, upper=1.0)
    if emissions is None:
        current = firms.current_emissions
        if current is None:
            raise ValueError(
                "equal_quantity needs the compliance-year emissions: pass emissions= "
                "or build Firms with current_emissions"
            )
        name = "current_emissions"
    else:
        current = per_firm("emissions", _not_mapping(emissions), firms)
        name = "emissions"
    missing = np.isnan(current)
    if missing.any():
        i = int(np.argmax(missing))
        raise ValueError(f"{name} is unknown (nan) for firm {shown(firms.id[i])}")
    return allocate(
        "equal_quantity",
        firms,
        checked,
        current * coef,
        scaling=scaling,
        options=options,
    )


def _not_mapping(value: object) -> object:
    if isinstance(value, Mapping):
        raise TypeError("emissions must be one value per firm (got a mapping)")
    return value
