"""The reference data shipped with the package: every number carries its source."""

from __future__ import annotations

from importlib import resources

import pytest

from allocation.reference import (
    STATUSES,
    TABLES,
    china_power_benchmarks,
    eu_correction_factor,
    eu_product_benchmarks,
    reference_table,
)


@pytest.mark.parametrize("name", TABLES)
def test_tables_are_package_data_with_sources(name: str) -> None:
    path = resources.files("allocation").joinpath("data", f"{name}.csv")
    assert path.is_file()
    rows = reference_table(name)
    assert rows
    for row in rows:
        assert row["status"] in STATUSES
        assert row["document"].strip()
        if row["status"] != "unconfirmed":
            # A checked number names where it was checked.
            assert row["checked_in"].strip()


def test_confirmed_only_drops_unchecked_rows() -> None:
    everything = reference_table("eu_product_benchmarks")
    checked = reference_table("eu_product_benchmarks", confirmed_only=True)
    assert 0 < len(checked) < len(everything)
    assert all(r["status"] != "unconfirmed" for r in checked)


def test_china_2021_coal_benchmarks_match_the_published_reductions() -> None:
    # ICAP (March 2023): coal benchmarks for 2021 are 6.29 % to 18.41 % below the
    # first compliance period's. The smallest and largest reductions:
    first = china_power_benchmarks(2019, confirmed_only=True)
    second = china_power_benchmarks(2021, confirmed_only=True)
    cuts = {k: round(100 * (1 - second[k] / first[k]), 2) for k in second if k != "gas"}
    assert min(cuts.values()) == 6.29
    assert max(cuts.values()) == 18.41
    assert set(second) == {"coal_300mw_plus", "coal_below_300mw", "coal_unconventional", "gas"}


def test_china_2021_and_2022_benchmarks_as_tabulated() -> None:
    # L. Reilly (March 2023), "2019-2022 Carbon Emission Baseline Values for Each Type
    # of Power Plant", from the 2021-2022 plan of the MEE:
    # electricity in tCO2/MWh, heat in tCO2/GJ (one value for the three coal types).
    published = {
        2021: ({"coal_300mw_plus": 0.8218, "coal_below_300mw": 0.8773,
                "coal_unconventional": 0.935, "gas": 0.392}, 0.1111, 0.056),
        2022: ({"coal_300mw_plus": 0.8177, "coal_below_300mw": 0.8729,
                "coal_unconventional": 0.9303, "gas": 0.3901}, 0.1105, 0.0557),
    }
    for year, (electricity, coal_heat, gas_heat) in published.items():
        assert china_power_benchmarks(year, confirmed_only=True) == electricity
        heat = china_power_benchmarks(year, output="heat", confirmed_only=True)
        assert heat == {"coal_300mw_plus": coal_heat, "coal_below_300mw": coal_heat,
                        "coal_unconventional": coal_heat, "gas": gas_heat}


def test_2019_and_2020_share_one_plan() -> None:
    assert china_power_benchmarks(2019) == china_power_benchmarks(2020)
    assert china_power_benchmarks(2019, output="heat") == china_power_benchmarks(
        2020, output="heat"
    )


def test_eu_values_as_published() -> None:
    # CEMBUREAU (December 2010): 766 and 987 kg CO2 per tonne of grey and white clinker;
    # CRU (2018): 1.514 t CO2 per tonne of primary aluminium for phase 3; Hoxha et al.
    # (International Fertiliser Society): 1.619 t CO2 per tonne of ammonia.
    assert eu_product_benchmarks(confirmed_only=True) == {
        "grey cement clinker": 0.766,
        "white cement clinker": 0.987,
        "primary aluminium": 1.514,
        "ammonia": 1.619,
    }
    # Kallanish (2025): hot metal 1.288 in 2021-2025, before 1.248 for 2026-2030.
    assert eu_product_benchmarks("2021-2025", confirmed_only=True) == {"hot metal": 1.288}
    # Commission (31 May 2021): the correction factor is 100 % for 2021-2025.
    assert [eu_correction_factor(y) for y in range(2021, 2026)] == [1.0] * 5
    assert set(eu_product_benchmarks("2021-2025")) == set(eu_product_benchmarks())
