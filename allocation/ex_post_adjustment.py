# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Ex-post adjustment: allocate in advance on forecast data, true up on actual data.

Also called advance allocation and adjustment (预分配与调整) or pre-allocation
and final allocation. The regulator hands out part of the allocation early,
computed on forecast (or last year's) output, and settles the difference once
the year's output or emissions are verified: installations that were
under-allocated receive more, those that were over-allocated give permits
back ("any excess shall be refunded and any deficiency repaid").

Chongqing's rules use it for the initial allocation (渝环规〔2023〕3号,
Article 10, as summarised in the Sichuan-Chongqing seed, section 4.1.2:
"enterprises obtain the annual carbon emission allowances through three
steps: declaration, allocation and adjustment"). China's national ETS used it
for 2019-2020: power plants first received 70 % of their 2018 output times
the benchmark, adjusted later to actual generation (ICAP, November 2020,
reporting the Ministry of Ecology and Environment's allocation plan).

References
----------
International Carbon Action Partnership, news of November 2020 on the draft
2019-2020 allocation plan for China's power sector (icapcarbonaction.com,
node 731): pre-allocation of 70 % of 2018 output x benchmark, adjusted to
actual generation. 重庆市碳排放配额管理细则 (渝环规〔2023〕3号), Article 10.
Shanghai Development and Reform Commission, 2013-2015 allocation plan
(pre-allocation on 2009-2011 average output, adjusted on each year's output),
as reported by 易碳家, 12 November 2014.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from allocation.firms import Firms
from allocation.free_allocation import Allocation, check_cap
from allocation.rules import AllocationRule, get_rule
from auctions._validate import check_share

__all__ = ["Adjustment", "ex_post_adjustment"]


@dataclass(frozen=True, kw_only=True, eq=False)
class Adjustment:
    """An advance allocation and its true-up.

    Attributes
    ----------
    forecast : Allocation
        The rule applied to the forecast data.
    advance : ndarray of int64
        Permits issued in advance: ``advance_share`` of the forecast
        allocation, rounded half up per installation in exact arithmetic
        (the share read as the decimal written: 0.7 is 7/10).
    final : Allocation
        The rule applied to the actual data: what each installation is
        finally entitled to.
    advance_share : float
        The share of the forecast allocation issued in advance.

    Examples
    --------
    >>> from allocation import Firms
    >>> f = Firms(["a"], product="p", entry_year=2000, base_years=[2020],
    ...           emissions=[[5.0]], output=[[10.0]], current_output=[10.0])
    >>> adj = ex_post_adjustment("benchmarking", f, f.replace(current_output=[12.0]),
    ...                          benchmarks={"p": 0.5}, activity="current")
    >>> adj.advance.tolist(), adj.final.permits.tolist(), adj.adjustment.tolist()
    ([5], [6], [1])
    """

    forecast: Allocation
    advance: NDArray[np.int64]
    final: Allocation
    advance_share: float

    def __post_init__(self) -> None:
        arr = np.array(self.advance, dtype=np.int64, copy=True)
        arr.flags.writeable = False
        object.__setattr__(self, "advance", arr)

    @property
    def adjustment(self) -> NDArray[np.int64]:
        """Permits issued (> 0) or recovered (< 0) at the true-up, per installation."""
        out: NDArray[np.int64] = self.final.permits - self.advance
        return out

    @property
    def issued(self) -> int:
        """Permits issued at the true-up."""
        return int(np.clip(self.adjustment, 0, None).sum())

    @property
    def recovered(self) -> int:
        """Permits taken back at the true-up."""
        return int(np.clip(-self.adjustment, 0, None).sum())


def ex_post_adjustment(
    rule: str | AllocationRule,
    forecast: Firms,
    actual: Firms,
    cap: int | None = None,
    *,
    advance_share: float = 1.0,
    **options: Any,
) -> Adjustment:
    """Advance allocation on ``forecast`` data, trued up on ``actual`` data.

    Parameters
    ----------
    rule : str or callable
        A registered rule (name or alias) or the rule itself.
    forecast, actual : Firms
        The same installations (same ids in the same order) with the
        forecast and the actual (verified) data.
    cap : int, optional
        The cap for both allocations.
    advance_share : float in (0, 1], default 1.0
        Share of the forecast allocation issued in advance (0.7 in China's
        2019-2020 power-sector plan).
    **options
        The rule's options, used for both allocations.

    Returns
    -------
    Adjustment
        ``advance + adjustment == final.permits`` for every installation.

    Raises
    ------
    ValueError, TypeError
        When the two tables do not hold the same installations, or for an
        advance share outside (0, 1].

    References
    ----------
    ICAP (November 2020) on China's 2019-2020 allocation plan; 渝环规〔2023〕3号,
    Article 10.

    Examples
    --------
    China's 2019-2020 procedure for a coal unit of 300 MW or more (benchmark
    0.877 tCO2/MWh): 70 % of 2018 supply (3,000,000 MWh) in advance, then the
    2019 supply of 3,200,000 MWh:

    >>> f = Firms(["unit-1"], product="coal_300mw_plus", entry_year=2005, base_years=[2018],
    ...           emissions=[[2_700_000.0]], output=[[3_000_000.0]],
    ...           current_output=[3_000_000.0])
    >>> adj = ex_post_adjustment("benchmarking", f, f.replace(current_output=[3_200_000.0]),
    ...                          advance_share=0.7, benchmarks={"coal_300mw_plus": 0.877},
    ...                          activity="current")
    >>> adj.advance.tolist(), adj.final.permits.tolist(), adj.issued
    ([1841700], [2806400], 964700)
    """
    fn = rule if callable(rule) else get_rule(rule)
    checked = check_cap(cap)
    share = check_share("advance_share", advance_share)
    if not isinstance(forecast, Firms) or not isinstance(actual, Firms):
        raise TypeError("forecast and actual must be Firms tables")
    if len(forecast) != len(actual) or not np.array_equal(forecast.id, actual.id):
        raise ValueError(
            "forecast and actual must hold the same installations in the same order "
            f"(got {len(forecast)} and {len(actual)} rows with different ids)"
        )
    planned = fn(forecast, checked, **options)
    final = fn(actual, checked, **options)
    advance = _share_half_up(planned.permits, share)
    return Adjustment(forecast=planned, advance=advance, final=final,
                      advance_share=float(share))


def _share_half_up(permits: NDArray[np.int64], share: Fraction) -> NDArray[np.int64]:
    """``share`` of each count of permits, rounded half up, in exact arithmetic.

    ``share`` is the exact decimal the caller wrote (0.7 is 7/10): in float64,
    45 x 0.7 is 31.499999999999996, which would round to 31 instead of 32.
    """
    num, den = share.numerator, share.denominator
    if int(permits.max(initial=0)) < (2**62 - den) // (2 * num):
        rounded: NDArray[np.int64] = (permits * (2 * num) + den) // (2 * den)
        return rounded
    return np.array([(p * 2 * num + den) // (2 * den) for p in permits.tolist()],
                    dtype=np.int64)
