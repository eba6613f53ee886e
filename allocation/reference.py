# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Published allocation parameters shipped with the package, each with its source.

Three tables live in ``allocation/data/`` as commented CSV files:

- ``china_power_benchmarks.csv``: China's national ETS power-sector
  benchmarks by unit type (electricity in tCO2/MWh, heat in tCO2/GJ) for
  2019-2022;
- ``eu_product_benchmarks.csv``: a handful of EU ETS product benchmarks
  (allowances per tonne) for 2013-2020 and 2021-2025;
- ``eu_correction_factors.csv``: the EU ETS uniform cross-sectoral
  correction factor for the years whose value could be checked.

Every row names the document the number comes from and carries a
``status``: ``"confirmed"`` (the number was read in the source named in
``checked_in``), ``"consistent"`` (implied by a confirmed statement) or
``"unconfirmed"`` (as given in the named document but not read in this
project's research; check it before relying on it). The loaders return all
rows unless ``confirmed_only=True``.

References
----------
Ministry of Ecology and Environment of China, 国环规气候〔2020〕3号 and
国环规气候〔2023〕1号 (power-sector allocation plans for 2019-2020 and
2021-2022). Commission Decision 2011/278/EU, Annex I; Commission Implementing
Regulation (EU) 2021/447, Annex; Commission Decision 2013/448/EU, Annex II.
The file headers list the secondary sources in which the numbers were read.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import Final

__all__ = [
    "TABLES",
    "china_power_benchmarks",
    "eu_correction_factor",
    "eu_product_benchmarks",
    "reference_table",
]

TABLES: Final = ("china_power_benchmarks", "eu_product_benchmarks", "eu_correction_factors")
STATUSES: Final = ("confirmed", "consistent", "unconfirmed")


@cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files("allocation").joinpath("data", f"{name}.csv").read_text("utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(dict(row) for row in csv.DictReader(io.StringIO(body)))


def reference_table(name: str, *, confirmed_only: bool = False) -> list[dict[str, str]]:
    """The rows of a shipped table as dictionaries of strings (with their sources).

    Parameters
    ----------
    name : {"china_power_benchmarks", "eu_product_benchmarks", "eu_correction_factors"}
        The table.
    confirmed_only : bool, default False
        Keep only rows whose ``status`` is ``"confirmed"`` or
        ``"consistent"``.

    Examples
    --------
    >>> row = reference_table("eu_correction_factors")[0]
    >>> row["year"], row["factor"], row["status"]
    ('2013', '0.94272151', 'confirmed')
    """
    if name not in TABLES:
        raise ValueError(f"name must be one of {', '.join(map(repr, TABLES))} (got {name!r})")
    rows = [dict(r) for r in _rows(name)]
    if confirmed_only:
        rows = [r for r in rows if r["status"] != "unconfirmed"]
    return rows


def china_power_benchmarks(
    year: int, *, output: str = "electricity", confirmed_only: bool = False
) -> dict[str, float]:
    """China's national ETS power benchmarks for ``year``, by unit type.

    Unit types: ``"coal_300mw_plus"`` (conventional coal units of the
    300 MW class and above), ``"coal_below_300mw"``, ``"coal_unconventional"``
    (coal gangue, slime, water-slurry and circulating fluidised bed units)
    and ``"gas"``. Use the result as ``benchmarks=`` with firms whose
    ``product`` is the unit type.

    Parameters
    ----------
    year : int
        2019, 2020, 2021 or 2022.
    output : {"electricity", "heat"}, default "electricity"
        tCO2 per MWh of electricity supplied, or per GJ of heat supplied.
    confirmed_only : bool, default False
        Leave out values that could not be checked (see the module notes).

    References
    ----------
    国环规气候〔2020〕3号; 国环规气候〔2023〕1号.

    Examples
    --------
    >>> china_power_benchmarks(2020)["coal_300mw_plus"]
    0.877
    >>> sorted(china_power_benchmarks(2021, confirmed_only=True))
    ['coal_300mw_plus', 'coal_below_300mw', 'coal_unconventional', 'gas']
    """
    if output not in ("electricity", "heat"):
        raise ValueError(f"output must be 'electricity' or 'heat' (got {output!r})")
    rows = [
        r
        for r in reference_table("china_power_benchmarks", confirmed_only=confirmed_only)
        if r["year"] == str(year) and r["output"] == output
    ]
    if not rows:
        years = sorted({r["year"] for r in _rows("china_power_benchmarks")})
        raise ValueError(f"year must be one of {', '.join(years)} (got {year!r})")
    return {r["unit_type"]: float(r["benchmark"]) for r in rows}


def eu_product_benchmarks(
    period: str = "2013-2020", *, confirmed_only: bool = False
) -> dict[str, float]:
    """EU ETS product benchmarks for ``period`` (allowances per tonne), by product.

    Parameters
    ----------
    period : {"2013-2020", "2021-2025"}
        The allocation period.
    confirmed_only : bool, default False
        Leave out values that could not be checked (see the module notes).

    References
    ----------
    Commission Decision 2011/278/EU, Annex I; Commission Implementing
    Regulation (EU) 2021/447, Annex.

    Examples
    --------
    >>> eu_product_benchmarks(confirmed_only=True)
    {'grey cement clinker': 0.766, 'white cement clinker': 0.987, 'primary aluminium': 1.514,
     'ammonia': 1.619}
    """
    rows = [
        r
        for r in reference_table("eu_product_benchmarks", confirmed_only=confirmed_only)
        if r["period"] == period
    ]
    if not rows:
        periods = sorted({r["period"] for r in _rows("eu_product_benchmarks")})
        raise ValueError(f"period must be one of {', '.join(periods)} (got {period!r})")
    return {r["product"]: float(r["benchmark"]) for r in rows}


def eu_correction_factor(year: int) -> float:
    """The EU ETS uniform cross-sectoral correction factor for ``year``.

    Only the years whose value could be checked are shipped: 2013 and 2020
    (the original values of Decision 2013/448/EU, later replaced by Decision
    (EU) 2017/126) and 2021-2025 (100 %).

    References
    ----------
    Commission Decision 2013/448/EU, Annex II; Commission press release of
    5 September 2013; Commission news of 31 May 2021.

    Examples
    --------
    >>> eu_correction_factor(2013), eu_correction_factor(2021)
    (0.94272151, 1.0)
    """
    for r in _rows("eu_correction_factors"):
        if r["year"] == str(year):
            return float(r["factor"])
    years = ", ".join(r["year"] for r in _rows("eu_correction_factors"))
    raise ValueError(
        f"year must be one of {years} (got {year!r}); other years' factors are not shipped "
        "because they could not be checked (see eu_correction_factors.csv)"
    )
