# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""China's national ETS: free allocation to power units by benchmark, with correction factors.

China's national carbon market covers power generation and allocates free
allowances by unit type (国环规气候〔2020〕3号 for 2019-2020, 国环规气候〔2023〕1号
for 2021-2022)::

    allowances = electricity supplied x electricity benchmark
                 x cooling factor x heat-supply factor x load factor
                 + heat supplied x heat benchmark

- **Benchmarks** by unit type (conventional coal of 300 MW and above,
  conventional coal below 300 MW, unconventional coal, gas) are those
  shipped in :func:`allocation.china_power_benchmarks`, each with its
  confirmation status; ``confirmed_only=True`` leaves out the unconfirmed.
- **Cooling factor**: 1 for a water-cooled coal unit, 1.05 for an air-cooled
  one; 1 for gas units.
- **Heat-supply factor**: ``1 - 0.22 x heat ratio`` for coal units and
  ``1 - 0.6 x heat ratio`` for gas units, the heat ratio (供热比) being the
  share of the unit's heat output supplied as heat.
- **Load factor** (负荷（出力）系数修正系数), for conventional coal units that
  supply no heat: 1 at a load factor ``F`` of 85 % or more,
  ``1 + 0.0014 x (85 - 100F)`` from 80 % to 85 %, ``1.007 + 0.0016 x (80 -
  100F)`` from 75 % to 80 %, and ``1.015^(16 - 20F)`` below 75 %; 1
  otherwise. The pieces join continuously (1.007 at 80 %, 1.015 at 75 %).
- **Surrender obligation** (:func:`surrender_obligation`): a unit's
  obligation is at most its free allocation plus 20 % of its verified
  emissions; a gas unit's is at most its free allocation.

The electricity and heat allocations are each computed by
:func:`allocation.benchmarking` with current activity and no cap (the cap is
the sum, bottom up), the factors entering as ``unit_factor``.

Confirmation: the benchmark values carry their own status. The correction
factors, the load-factor formula, the units they apply to and the 20 %
obligation cap are from the 2019-2020 plan as we know it, but the plan's
text was not read in this project's research (ICAP's summary of the draft,
read, confirms the structure: four benchmarks, pre-allocation and
adjustment, and that gas units face no obligation beyond their allocation);
all are parameters (:class:`PowerParameters`) to be checked and overridden.
Whether the 2021-2022 plan changed the factors was not checked; the same are
used for those years. Pre-allocation of 70 % of the previous year's output
is :func:`allocation.ex_post_adjustment` with ``advance_share=0.7``.

References
----------
Ministry of Ecology and Environment, 2019-2020年全国碳排放权交易配额总量设定与分配
实施方案（发电行业）, 国环规气候〔2020〕3号 (English translation at
chinaenergyportal.org; not read in full). International Carbon Action
Partnership, news of November 2020 on the draft plan (icapcarbonaction.com,
node 731). 国环规气候〔2023〕1号 (2021-2022 benchmarks; read in L. Reilly's table
of March 2023, which cites it).

Examples
--------
An air-cooled 600 MW unit supplying 3,000,000 MWh and no heat at a load
factor of 82 %: 0.877 x 1.05 x 1.0042 x 3,000,000 = 2,774,152.71:

>>> from allocation import Firms
>>> units = Firms(["u1"], product="coal_300mw_plus", entry_year=2010, base_years=[2018],
...               emissions=[[2.6e6]], output=[[2.9e6]], current_output=[3.0e6])
>>> a = allocate(units, 2019, heat_supplied=[0.0], cooling=["air"], heat_ratio=[0.0],
...              load_factor=[0.82])
>>> a.permits.tolist()
[2774153]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from allocation.benchmarking import benchmarking
from allocation.firms import Firms
from allocation.free_allocation import Allocation
from allocation.reference import china_power_benchmarks
from auctions._validate import check_choice

__all__ = [
    "CONVENTIONAL_COAL",
    "GAS",
    "PARAMETERS",
    "UNIT_TYPES",
    "PowerAllocation",
    "PowerParameters",
    "allocate",
    "correction_factor",
    "surrender_obligation",
]

#: The unit types of the benchmarks.
UNIT_TYPES = ("coal_300mw_plus", "coal_below_300mw", "coal_unconventional", "gas")
CONVENTIONAL_COAL = ("coal_300mw_plus", "coal_below_300mw")
GAS = "gas"


@dataclass(frozen=True, kw_only=True)
class PowerParameters:
    """The correction factors' parameters (not confirmed; see the module notes).

    Attributes
    ----------
    air_cooling : float
        The cooling factor of an air-cooled coal unit (1.05).
    coal_heat_coefficient, gas_heat_coefficient : float
        The heat-supply factor is ``1 - coefficient x heat ratio`` (0.22,
        0.6).
    obligation_cap : float
        The most a coal unit surrenders beyond its allocation, as a share of
        its verified emissions (0.20).
    confirmed_only : bool
        Use only the benchmarks whose value was confirmed.
    """

    air_cooling: float = 1.05
    coal_heat_coefficient: float = 0.22
    gas_heat_coefficient: float = 0.6
    obligation_cap: float = 0.20
    confirmed_only: bool = False


#: The 2019-2020 plan's parameters, as far as known.
PARAMETERS = PowerParameters()


def _per_unit(name: str, values: ArrayLike, n: int, *, upper: float | None = None
              ) -> NDArray[np.float64]:
    arr = np.broadcast_to(np.asarray(values, dtype=np.float64), (n,)).copy()
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > (np.inf if upper is None else upper))
    if bad.any():
        i = int(np.argmax(bad))
        bound = "" if upper is None else f" and <= {upper}"
        raise ValueError(f"{name} must be finite, >= 0{bound} (got {arr[i]!r} at index {i})")
    return arr


def _load_correction(load: NDArray[np.float64]) -> NDArray[np.float64]:
    pct = 100 * load
    return np.select(
        [pct >= 85, pct >= 80, pct >= 75],
        [np.ones_like(pct), 1 + 0.0014 * (85 - pct), 1.007 + 0.0016 * (80 - pct)],
        default=1.015 ** (16 - 20 * load),
    )


def correction_factor(
    unit_type: ArrayLike,
    *,
    cooling: ArrayLike,
    heat_ratio: ArrayLike,
    load_factor: ArrayLike,
    params: PowerParameters = PARAMETERS,
) -> NDArray[np.float64]:
    """The product of the cooling, heat-supply and load factors, per unit.

    Parameters
    ----------
    unit_type : sequence of str
        One of :data:`UNIT_TYPES` per unit.
    cooling : sequence of {"water", "air"}
    heat_ratio : sequence of float
        Share of heat output supplied as heat, in [0, 1].
    load_factor : sequence of float
        The unit's load (output) factor over the period, in [0, 1].
    params : PowerParameters, default PARAMETERS

    Returns
    -------
    ndarray of float64

    Examples
    --------
    A water-cooled CHP coal unit with a heat ratio of 0.5 (1 - 0.11), an
    air-cooled condensing unit at 70 % load (1.05 x 1.015^2), a gas CHP unit
    with a heat ratio of 0.25 (1 - 0.15):

    >>> correction_factor(["coal_300mw_plus", "coal_below_300mw", "gas"],
    ...                   cooling=["water", "air", "water"], heat_ratio=[0.5, 0.0, 0.25],
    ...                   load_factor=[0.6, 0.7, 0.5]).round(6).tolist()
    [0.89, 1.081736, 0.85]
    """
    kinds = np.asarray(unit_type, dtype=object)
    n = kinds.size
    for i, k in enumerate(kinds.tolist()):
        check_choice(f"unit_type[{i}]", k, UNIT_TYPES)
    cools = np.broadcast_to(np.asarray(cooling, dtype=object), (n,))
    for i, c in enumerate(cools.tolist()):
        check_choice(f"cooling[{i}]", c, ("water", "air"))
    ratio = _per_unit("heat_ratio", heat_ratio, n, upper=1.0)
    load = _per_unit("load_factor", load_factor, n, upper=1.0)
    gas = kinds == GAS
    cool = np.where(~gas & (cools == "air"), params.air_cooling, 1.0)
    coefficient = np.where(gas, params.gas_heat_coefficient, params.coal_heat_coefficient)
    condensing = np.isin(kinds, CONVENTIONAL_COAL) & (ratio == 0)
    load_f = np.where(condensing, _load_correction(load), 1.0)
    factor: NDArray[np.float64] = cool * (1 - coefficient * ratio) * load_f
    return factor


@dataclass(frozen=True, kw_only=True, eq=False)
class PowerAllocation:
    """Free allowances for electricity and for heat.

    Attributes
    ----------
    electricity, heat : Allocation
        The two benchmark allocations.
    correction : ndarray of float64
        The correction factor of each unit.
    """

    electricity: Allocation
    heat: Allocation
    correction: NDArray[np.float64]

    @property
    def permits(self) -> NDArray[np.int64]:
        """Allowances per unit: electricity plus heat."""
        total: NDArray[np.int64] = self.electricity.permits + self.heat.permits
        return total

    @property
    def total(self) -> int:
        """Allowances in all (the bottom-up cap)."""
        return int(self.permits.sum())


def allocate(
    units: Firms,
    year: int,
    *,
    heat_supplied: ArrayLike,
    cooling: ArrayLike,
    heat_ratio: ArrayLike,
    load_factor: ArrayLike,
    params: PowerParameters = PARAMETERS,
) -> PowerAllocation:
    """Free allowances of power units for ``year`` (2019-2022).

    Parameters
    ----------
    units : Firms
        One row per generating unit; ``product`` is the unit type and
        ``current_output`` the electricity supplied in ``year`` (MWh).
    year : int
        2019, 2020, 2021 or 2022 (the years of the shipped benchmarks).
    heat_supplied : sequence of float
        Heat supplied in ``year`` (GJ), >= 0.
    cooling, heat_ratio, load_factor
        As for :func:`correction_factor`.
    params : PowerParameters, default PARAMETERS

    Returns
    -------
    PowerAllocation
        Each part rounded to whole allowances by :func:`allocation.benchmarking`.
    """
    factor = correction_factor(units.product, cooling=cooling, heat_ratio=heat_ratio,
                               load_factor=load_factor, params=params)
    heat = _per_unit("heat_supplied", heat_supplied, len(units))
    electricity = benchmarking(
        units, benchmarks=china_power_benchmarks(year, confirmed_only=params.confirmed_only),
        activity="current", unit_factor=factor,
    )
    heat_part = benchmarking(
        units.replace(current_output=heat),
        benchmarks=china_power_benchmarks(year, output="heat",
                                          confirmed_only=params.confirmed_only),
        activity="current",
    )
    factor.flags.writeable = False
    return PowerAllocation(electricity=electricity, heat=heat_part, correction=factor)


def surrender_obligation(
    verified_emissions: ArrayLike,
    free_allocation: ArrayLike,
    unit_type: ArrayLike,
    *,
    params: PowerParameters = PARAMETERS,
) -> NDArray[np.float64]:
    """Allowances each unit must surrender, with the cap on shortfalls.

    ``min(emissions, allocation + 20 % of emissions)`` for coal units and
    ``min(emissions, allocation)`` for gas units (not confirmed; see the
    module notes).

    Examples
    --------
    A coal unit short by 30 % of its emissions surrenders its allocation
    plus 20 %; a gas unit only its allocation:

    >>> surrender_obligation([1000.0, 1000.0, 1000.0], [700, 900, 600],
    ...                      ["coal_300mw_plus", "coal_300mw_plus", "gas"]).tolist()
    [900.0, 1000.0, 600.0]
    """
    kinds = np.asarray(unit_type, dtype=object)
    for i, k in enumerate(kinds.tolist()):
        check_choice(f"unit_type[{i}]", k, UNIT_TYPES)
    emissions = _per_unit("verified_emissions", verified_emissions, kinds.size)
    allocated = _per_unit("free_allocation", free_allocation, kinds.size)
    cap = np.where(kinds == GAS, allocated, allocated + params.obligation_cap * emissions)
    obligation: NDArray[np.float64] = np.minimum(emissions, cap)
    return obligation
