# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Historical intensity: an installation's own past intensity times its current output.

Also called the historical intensity decline method (历史强度下降法), used by
the Chinese pilot markets (Guangdong, Hubei, Tianjin, Chongqing) for sectors
without a common benchmark. Each installation receives

    base-period intensity (emissions / output) x current output x reduction factor

where the reduction factor (下降系数 / 控排系数, e.g. 0.98) tightens the
allowance each year. The rule follows output, like benchmarking, but each
installation is held to its *own* past intensity: a dirty incumbent keeps a
dirty baseline. New entrants have no past intensity; they take the
product's benchmark or the mean intensity of the incumbents of their sector,
as the caller chooses.

References
----------
Chongqing Bureau of Ecology and Environment, 重庆市碳排放配额管理细则
(渝环规〔2023〕3号), Article 8 (the historical intensity decline method among
Chongqing's allocation methods), summarised in the Sichuan-Chongqing seed,
section 4.1.2; Chongqing Bureau of Ecology and Environment, policy Q&A of
18 June 2024 (等量法、行业基准线法、历史强度下降法或历史总量下降法).
Tianjin Municipal Bureau of Ecology and Environment, notice on the 2021
allowance allocation: quota = 2021 output x base-year intensity x 0.98 (the
base year being the higher-intensity of 2019 and 2020).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.firms import Firms, shown
from allocation.free_allocation import (
    Allocation,
    AllocationOptions,
    allocate,
    check_cap,
    per_firm,
)
from auctions._validate import check_choice
from auctions.bids import factorize

__all__ = ["INTENSITY_STATISTICS", "NEW_ENTRANT_METHODS", "historical_intensity", "intensity"]

INTENSITY_STATISTICS: Final = ("pooled", "mean", "max", "last")
NEW_ENTRANT_METHODS: Final = ("benchmark", "sector_mean")


def intensity(
    firms: Firms, statistic: Literal["pooled", "mean", "max", "last"] = "pooled"
) -> NDArray[np.float64]:
    """Each incumbent's base-period emission intensity (nan for new entrants).

    ``"pooled"`` divides total recorded emissions by total recorded output;
    ``"mean"`` averages the yearly intensities, ``"max"`` takes the highest
    and ``"last"`` the most recent.

    Raises
    ------
    ValueError
        When an incumbent's intensity is undefined because the output it is
        divided by is zero.

    Examples
    --------
    >>> nan = float("nan")
    >>> f = Firms(["a", "b"], product="p", entry_year=2000, base_years=[2019, 2020],
    ...           emissions=[[90.0, 60.0], [nan, nan]], output=[[100.0, 100.0], [nan, nan]],
    ...           current_output=[1.0, 1.0])
    >>> intensity(f).tolist()
    [0.75, nan]
    >>> intensity(f, "max").tolist()
    [0.9, nan]
    """
    stat = check_choice("statistic", statistic, INTENSITY_STATISTICS)
    rec = firms.recorded
    em = np.where(rec, firms.emissions, 0.0)
    out = np.where(rec, firms.output, 0.0)
    has = rec.any(axis=1)
    result: NDArray[np.float64]
    if stat == "pooled":
        total = out.sum(axis=1)
        _zero_output(firms, np.asarray(has & (total <= 0)))
        result = np.divide(em.sum(axis=1), total, out=np.full(len(firms), np.nan), where=has)
        return result
    _zero_output(firms, np.asarray((rec & (out <= 0)).any(axis=1)))
    yearly = np.divide(em, out, out=np.full(em.shape, np.nan), where=rec)
    if stat == "mean":
        count = rec.sum(axis=1)
        result = np.divide(
            np.where(rec, yearly, 0.0).sum(axis=1),
            count,
            where=has,
            out=np.full(len(firms), np.nan),
        )
        return result
    if stat == "max":
        return np.where(has, np.where(rec, yearly, -np.inf).max(axis=1), np.nan)
    last = rec.shape[1] - 1 - np.argmax(rec[:, ::-1], axis=1)
    return np.where(has, yearly[np.arange(len(firms)), last], np.nan)


def _zero_output(firms: Firms, bad: NDArray[np.bool_]) -> None:
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"output is zero in the base years of firm {shown(firms.id[i])}, "
            f"so its emission intensity (emissions / output) is undefined"
        )


def historical_intensity(
    firms: Firms,
    cap: int | None = None,
    *,
    reduction_factor: float | ArrayLike | Mapping[Any, float],
    new_entrant: Literal["benchmark", "sector_mean"] = "benchmark",
    benchmarks: Mapping[Any, float] | None = None,
    statistic: Literal["pooled", "mean", "max", "last"] = "pooled",
    correction_factor: float | None = None,
    scaling: Literal["down", "proportional"] = "down",
    **options: Unpack[AllocationOptions],
) -> Allocation:
    """Free permits = own historical intensity x current output x reduction factor.

    Parameters
    ----------
    firms : Firms
        The installations.
    cap : int, optional
        Permits available; None for no cap.
    reduction_factor : float, sequence or mapping by sector
        The annual reduction (control) factor in [0, 1], e.g. 0.98.
    new_entrant : {"benchmark", "sector_mean"}, default "benchmark"
        The intensity a new entrant takes: its product's benchmark (from
        ``benchmarks``), or the pooled intensity of the incumbents of its
        sector.
    benchmarks : mapping, optional
        Permits per unit of product by product; needed for
        ``new_entrant="benchmark"`` when there are new entrants.
    statistic : {"pooled", "mean", "max", "last"}, default "pooled"
        How the base years make one intensity (see :func:`intensity`).
    correction_factor : float, optional
        A uniform factor > 0 imposed on every allocation.
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
        For an incumbent with zero base-year output (undefined intensity), a
        missing benchmark, a sector without incumbents, factors outside
        [0, 1], a negative cap.

    References
    ----------
    渝环规〔2023〕3号, Article 8; Tianjin 2021 allocation notice.

    Examples
    --------
    An incumbent that emitted 0.9 t per unit and a cleaner one at 0.6 t, each
    producing 1,000 units now, with a reduction factor of 0.98; the new
    entrant takes the benchmark of 0.7:

    >>> nan = float("nan")
    >>> firms = Firms(["dirty", "clean", "new"], product="glass",
    ...               entry_year=[1990, 2000, 2021], base_years=[2020],
    ...               emissions=[[900.0], [600.0], [nan]], output=[[1000.0], [1000.0], [nan]],
    ...               current_output=[1000.0, 1000.0, 1000.0])
    >>> historical_intensity(firms, reduction_factor=0.98,
    ...                      benchmarks={"glass": 0.7}).permits.tolist()
    [882, 588, 686]

    The same with the entrant taking its sector's mean intensity (0.75):

    >>> historical_intensity(firms.replace(sector="glass"), reduction_factor=0.98,
    ...                      new_entrant="sector_mean").permits.tolist()
    [882, 588, 735]
    """
    checked = check_cap(cap)
    method = check_choice("new_entrant", new_entrant, NEW_ENTRANT_METHODS)
    factor = per_firm("reduction_factor", reduction_factor, firms, upper=1.0)
    if benchmarks is not None and not isinstance(benchmarks, Mapping):
        raise TypeError(
            f"benchmarks must be a mapping from product to permits per unit "
            f"(got {type(benchmarks).__name__})"
        )
    own = intensity(firms, statistic)
    new = firms.is_new_entrant
    if new.any():
        if method == "benchmark":
            if benchmarks is None:
                raise ValueError(
                    "new_entrant='benchmark' needs benchmarks (got None) because "
                    f"{int(new.sum())} firm(s) have no history"
                )
            entrant = per_firm("benchmarks", benchmarks, firms, by="product", rows=new)
        else:
            entrant = _sector_mean(firms)
        own = np.where(new, entrant, own)
    entitlement = own * firms.current_output * factor
    return allocate(
        "historical_intensity",
        firms,
        checked,
        entitlement,
        scaling=scaling,
        correction_factor=correction_factor,
        options=options,
    )


def _sector_mean(firms: Firms) -> NDArray[np.float64]:
    """Per firm, the pooled base-period intensity of the incumbents of its sector."""
    if firms.sector is None:
        raise ValueError("new_entrant='sector_mean' needs the firms' sector (got sector=None)")
    codes, uniques = factorize(firms.sector)
    rec = firms.recorded
    em = np.where(rec, firms.emissions, 0.0).sum(axis=1)
    out = np.where(rec, firms.output, 0.0).sum(axis=1)
    m = len(uniques)
    sector_em = np.bincount(codes, weights=em, minlength=m)
    sector_out = np.bincount(codes, weights=out, minlength=m)
    needed = np.bincount(codes[firms.is_new_entrant], minlength=m) > 0
    bad = needed & (sector_out <= 0)
    if bad.any():
        j = int(np.argmax(bad))
        raise ValueError(
            f"new_entrant='sector_mean': sector {shown(uniques[j])} has no incumbent output "
            "to take a mean intensity from"
        )
    mean = np.divide(sector_em, sector_out, out=np.full(m, np.nan), where=sector_out > 0)
    result: NDArray[np.float64] = mean[codes]
    return result
