"""Bad input to the allocation side fails early with an error naming the argument."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from allocation import (
    Firms,
    benchmarking,
    equal_quantity,
    eu_correction_factor,
    ex_post_adjustment,
    get_rule,
    grandfathering,
    historical_intensity,
    hybrid,
    largest_remainder,
)
from allocation.fairness import by_group, compare, gini, net_cost
from allocation.reference import china_power_benchmarks, eu_product_benchmarks, reference_table

nan = math.nan


def columns(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ["a", "b", "c"],
        "product": ["clinker", "clinker", "lime"],
        "entry_year": [1990, 2000, 2021],
        "base_years": [2019, 2020],
        "emissions": [[10.0, 12.0], [5.0, nan], [nan, nan]],
        "output": [[20.0, 20.0], [10.0, nan], [nan, nan]],
        "current_output": [20.0, 10.0, 5.0],
        "sector": "cement",
        "current_emissions": [11.0, 5.0, 2.0],
    }
    base.update(changes)
    return base


def build(**changes: Any) -> Firms:
    c = columns(**changes)
    return Firms(c.pop("id"), **c)


@pytest.fixture
def firms() -> Firms:
    return build()


# ------------------------------------------------------------------- Firms


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"id": ["a", "b", "a"]}, ValueError, r"id must be unique \(got 'a' 2 times\)"),
        ({"id": [1, 2, 2]}, ValueError, r"id must be unique \(got 2 2 times\)"),
        (
            {"emissions": [[10.0, -1.0], [5.0, nan], [nan, nan]]},
            ValueError,
            r"emissions must be >= 0 \(got -1.0 at index \(0, 1\)\)",
        ),
        (
            {"output": [[20.0, 20.0], [-10.0, nan], [nan, nan]]},
            ValueError,
            r"output must be >= 0 \(got -10.0",
        ),
        ({"current_output": [20.0, -1.0, 5.0]}, ValueError, r"current_output must be >= 0"),
        ({"current_output": [20.0, nan, 5.0]}, ValueError, r"current_output must be finite"),
        (
            {"emissions": [[10.0, math.inf], [5.0, nan], [nan, nan]]},
            ValueError,
            r"emissions must be finite \(got inf",
        ),
        ({"current_emissions": [1.0, -2.0, 0.0]}, ValueError, r"current_emissions must be >= 0"),
        ({"capacity": [1.0, -2.0, 0.0]}, ValueError, r"capacity must be >= 0"),
        ({"emissions": [[10.0, 12.0], [5.0, 1.0]]}, ValueError, r"emissions must have shape"),
        ({"current_output": [1.0, 2.0]}, ValueError, r"current_output must have shape"),
        ({"product": ["x", "y"]}, ValueError, r"product must have one entry per firm"),
        ({"base_years": [2020, 2019]}, ValueError, r"base_years must be strictly increasing"),
        ({"base_years": []}, ValueError, r"base_years must not be empty"),
        ({"entry_year": [1990.5, 2000, 2021]}, ValueError, r"entry_year must be whole years"),
        ({"id": []}, ValueError, r"id must not be empty"),
        ({"id": "abc"}, TypeError, r"id must be a sequence of labels"),
        ({"emissions": "lots"}, TypeError, r"emissions must hold numbers"),
        ({"current_output": [True, False, True]}, TypeError, r"current_output must hold real"),
        (
            {"output": [[20.0, 20.0], [10.0, 3.0], [nan, nan]]},
            ValueError,
            r"missing in the same base years \(firm 'b' has only output in 2020\)",
        ),
        (
            {"entry_year": [2020, 2000, 2021]},
            ValueError,
            r"emissions has a record for firm 'a' in 2019, before its entry_year 2020",
        ),
        (
            {"closure_year": [None, 1999, None]},
            ValueError,
            r"closure_year of firm 'b' \(1999\) precedes its entry_year 2000",
        ),
        ({"closure_year": [None, 2020.5, None]}, ValueError, r"closure_year must be whole"),
    ],
)
def test_bad_firms(changes: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build(**changes)


def test_firms_are_frozen(firms: Firms) -> None:
    with pytest.raises(AttributeError, match="Firms is frozen"):
        firms.product = firms.product
    with pytest.raises(ValueError, match="read-only"):
        firms.current_output[0] = 5.0


def test_replace_rejects_unknown_columns(firms: Firms) -> None:
    with pytest.raises(TypeError, match=r"replace got unknown columns \['colour'\]"):
        firms.replace(colour="red")


def test_from_frame_needs_its_columns() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="frame has no column 'product'"):
        Firms.from_frame(
            pd.DataFrame(
                {
                    "id": [1],
                    "entry_year": [2000],
                    "current_output": [1.0],
                    "emissions_2020": [1.0],
                    "output_2020": [1.0],
                }
            )
        )
    with pytest.raises(ValueError, match="same years for emissions_"):
        Firms.from_frame(
            pd.DataFrame(
                {
                    "id": [1],
                    "product": ["p"],
                    "entry_year": [2000],
                    "current_output": [1.0],
                    "emissions_2020": [1.0],
                    "output_2019": [1.0],
                }
            )
        )
    with pytest.raises(ValueError, match="no columns named emissions_<year>"):
        Firms.from_frame(pd.DataFrame({"id": [1], "product": ["p"]}))


# -------------------------------------------------------------------- caps


@pytest.mark.parametrize(
    "rule", ["grandfathering", "benchmarking", "historical_intensity", "equal_quantity"]
)
def test_caps_below_zero_or_fractional(firms: Firms, rule: str) -> None:
    table: dict[str, dict[str, Any]] = {
        "grandfathering": {},
        "benchmarking": {"benchmarks": {"clinker": 0.8, "lime": 1.0}},
        "historical_intensity": {"reduction_factor": 0.98, "benchmarks": {"lime": 1.0}},
        "equal_quantity": {},
    }
    options = table[rule]
    fn = get_rule(rule)
    with pytest.raises(ValueError, match=r"cap must be >= 0 \(got -3\)"):
        fn(firms, -3, **options)
    with pytest.raises(TypeError, match=r"cap must be a whole number \(got 10.5\)"):
        fn(firms, 10.5, **options)
    with pytest.raises(TypeError, match=r"cap must be a whole number \(got '100'\)"):
        fn(firms, "100", **options)
    with pytest.raises(TypeError, match="unexpected keyword argument 'reserve'"):
        fn(firms, 100, reserve=0.1, **options)


# ------------------------------------------------------ shares and options


@pytest.mark.parametrize("share", [-0.1, 1.5, nan, math.inf])
def test_reserve_shares_outside_zero_one(firms: Firms, share: float) -> None:
    with pytest.raises(ValueError, match=r"reserve_share must be in \[0, 1\]"):
        grandfathering(firms, 100, reserve_share=share)


@pytest.mark.parametrize("share", [-0.5, 2.0])
def test_auction_shares_outside_zero_one(firms: Firms, share: float) -> None:
    with pytest.raises(ValueError, match=r"auction_share must be in \[0, 1\]"):
        equal_quantity(firms, 100, auction_share=share)
    with pytest.raises(ValueError, match=r"auction_share must be in \[0, 1\]"):
        hybrid("equal_quantity", firms, 100, auction_share=share)


def test_shares_must_not_add_up_to_more_than_one(firms: Firms) -> None:
    with pytest.raises(ValueError, match=r"reserve_share \+ auction_share must be <= 1"):
        grandfathering(firms, 100, reserve_share=0.6, auction_share=0.5)


def test_shares_are_numbers(firms: Firms) -> None:
    with pytest.raises(TypeError, match=r"reserve_share must be a real number"):
        grandfathering(firms, 100, reserve_share="10%")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"reserve_share must be a real number"):
        grandfathering(firms, 100, reserve_share=True)


def test_a_reserve_or_an_auction_needs_a_cap(firms: Firms) -> None:
    with pytest.raises(ValueError, match=r"reserve_share needs a cap \(got cap=None\)"):
        benchmarking(firms, benchmarks={"clinker": 1.0, "lime": 1.0}, reserve_share=0.1)
    with pytest.raises(TypeError, match=r"cap must be a whole number >= 0 \(got None\)"):
        hybrid("equal_quantity", firms, None, auction_share=0.5)  # type: ignore[arg-type]


def test_unknown_choices(firms: Firms) -> None:
    with pytest.raises(ValueError, match=r"leftover must be one of 'hold', 'cancel', 'auction'"):
        grandfathering(firms, 100, leftover="burn")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"statistic must be one of 'mean'"):
        grandfathering(firms, 100, statistic="mode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"scaling must be one of 'down', 'proportional'"):
        grandfathering(firms, 100, scaling="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"activity must be one of 'historical', 'current'"):
        benchmarking(firms, benchmarks={"clinker": 1.0, "lime": 1.0}, activity="future")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"new_entrant must be one of 'benchmark'"):
        historical_intensity(firms, reduction_factor=1.0, new_entrant="guess")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"rule must be one of .* \(got 'auction'\)"):
        get_rule("auction")


def test_bids_must_be_bids(firms: Firms) -> None:
    with pytest.raises(TypeError, match=r"bids must be an auctions\.Bids table"):
        grandfathering(firms, 100, auction_share=0.5, bids=[("a", 1.0, 5)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="auction_options must not contain rng"):
        grandfathering(firms, 100, auction_options={"rng": 1})


def test_year_must_be_a_whole_number(firms: Firms) -> None:
    with pytest.raises(TypeError, match=r"year must be a whole number \(got 2020.5\)"):
        grandfathering(firms, 100, year=2020.5)  # type: ignore[arg-type]


# ------------------------------------------------------------- benchmarks


def test_unknown_products_in_the_benchmark_mapping(firms: Firms) -> None:
    with pytest.raises(
        ValueError, match=r"benchmarks has no value for product 'lime' \(firm 'c'\)"
    ):
        benchmarking(firms, 100, benchmarks={"clinker": 0.8, "cement": 0.7})
    with pytest.raises(TypeError, match="benchmarks must be a mapping"):
        benchmarking(firms, 100, benchmarks=[0.8, 0.8, 1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"benchmarks\['lime'\] must be finite, >= 0"):
        benchmarking(firms, 100, benchmarks={"clinker": 0.8, "lime": -1.0})
    with pytest.raises(TypeError, match=r"benchmarks\['lime'\] must be a real number"):
        benchmarking(firms, 100, benchmarks={"clinker": 0.8, "lime": "1"})  # type: ignore[dict-item]


def test_new_entrants_need_a_benchmark_for_their_product(firms: Firms) -> None:
    with pytest.raises(ValueError, match=r"benchmarks has no value for product 'lime'"):
        historical_intensity(firms, reduction_factor=0.98, benchmarks={"clinker": 0.5})
    with pytest.raises(ValueError, match=r"new_entrant='benchmark' needs benchmarks"):
        historical_intensity(firms, reduction_factor=0.98)
    with pytest.raises(ValueError, match=r"needs the firms' sector"):
        historical_intensity(build(sector=None), reduction_factor=0.98, new_entrant="sector_mean")


def test_factors_out_of_range(firms: Firms) -> None:
    bm = {"clinker": 0.8, "lime": 1.0}
    with pytest.raises(ValueError, match=r"exposure_factor must be finite, >= 0 and <= 1.0"):
        benchmarking(firms, 100, benchmarks=bm, exposure_factor=1.2)
    with pytest.raises(ValueError, match=r"sector_factor\['cement'\] must be finite, >= 0"):
        benchmarking(firms, 100, benchmarks=bm, sector_factor={"cement": -0.1})
    with pytest.raises(ValueError, match=r"exposure_factor has no value for sector 'cement'"):
        benchmarking(firms, 100, benchmarks=bm, exposure_factor={"steel": 1.0})
    with pytest.raises(ValueError, match=r"unit_factor must have one value per firm"):
        benchmarking(firms, 100, benchmarks=bm, unit_factor=[1.0, 1.0])
    with pytest.raises(TypeError, match=r"unit_factor must be a number or one value per firm"):
        benchmarking(firms, 100, benchmarks=bm, unit_factor={"a": 1.0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"reduction_factor must be finite, >= 0 and <= 1.0"):
        historical_intensity(firms, reduction_factor=1.02, benchmarks=bm)
    with pytest.raises(ValueError, match=r"coefficient must be finite, >= 0 and <= 1.0"):
        equal_quantity(firms, 100, coefficient=[1.0, 1.1, 1.0])
    with pytest.raises(ValueError, match=r"coefficient must be finite, >= 0 \(got -0.5\)"):
        grandfathering(firms, 100, coefficient=-0.5)
    with pytest.raises(ValueError, match=r"correction_factor must be finite and > 0"):
        benchmarking(firms, benchmarks=bm, correction_factor=0.0)
    with pytest.raises(ValueError, match=r"a mapping by sector, but the firms have no sector"):
        grandfathering(build(sector=None), 100, coefficient={"cement": 0.9})


# -------------------------------------------------------- missing data


def test_intensity_with_zero_output() -> None:
    zero = build(output=[[20.0, 0.0], [10.0, nan], [nan, nan]])
    with pytest.raises(ValueError, match=r"output is zero in the base years of firm 'a'"):
        historical_intensity(
            zero, reduction_factor=1.0, benchmarks={"lime": 1.0}, statistic="mean"
        )
    all_zero = build(output=[[0.0, 0.0], [10.0, nan], [nan, nan]])
    with pytest.raises(ValueError, match=r"output is zero in the base years of firm 'a'"):
        historical_intensity(all_zero, reduction_factor=1.0, benchmarks={"lime": 1.0})


def test_equal_quantity_needs_current_emissions() -> None:
    with pytest.raises(ValueError, match=r"equal_quantity needs the compliance-year emissions"):
        equal_quantity(build(current_emissions=None), 100)
    with pytest.raises(ValueError, match=r"current_emissions is unknown \(nan\) for firm 'b'"):
        equal_quantity(build(current_emissions=[1.0, nan, 1.0]), 100)
    with pytest.raises(ValueError, match=r"emissions must be finite, >= 0 \(got -1.0 at index"):
        equal_quantity(build(), 100, emissions=[1.0, -1.0, 1.0])


def test_grandfathering_reserve_needs_entrants_current_emissions() -> None:
    with pytest.raises(ValueError, match=r"current_emissions, which firm 'c' lacks"):
        grandfathering(build(current_emissions=[1.0, 1.0, nan]), 100, reserve_share=0.1)


# ----------------------------------------------------- ex post, rounding


def test_ex_post_adjustment_needs_the_same_firms(firms: Firms) -> None:
    other = build(id=["a", "b", "z"])
    with pytest.raises(ValueError, match="must hold the same installations"):
        ex_post_adjustment("equal_quantity", firms, other)
    with pytest.raises(ValueError, match=r"advance_share must be in \(0, 1\] \(got 1.5\)"):
        ex_post_adjustment("equal_quantity", firms, firms, advance_share=1.5)
    with pytest.raises(ValueError, match=r"advance_share must be in \(0, 1\] \(got 0\)"):
        ex_post_adjustment("equal_quantity", firms, firms, advance_share=0)


def test_largest_remainder_bad_input() -> None:
    with pytest.raises(ValueError, match=r"quotas must be finite and >= 0 \(got -1.0"):
        largest_remainder([1.0, -1.0], 3)
    with pytest.raises(ValueError, match=r"quotas must not all be zero when total is 3"):
        largest_remainder([0.0, 0.0], 3)
    with pytest.raises(ValueError, match=r"total must be >= 0 \(got -1\)"):
        largest_remainder([1.0], -1)
    with pytest.raises(ValueError, match=r"priority must have one entry per quota"):
        largest_remainder([1.0, 1.0], 3, priority=[0])
    with pytest.raises(TypeError, match=r"quotas must hold real numbers"):
        largest_remainder(["a"], 3)


# --------------------------------------------------------------- fairness


def test_fairness_bad_input(firms: Firms) -> None:
    a = grandfathering(firms, 100)
    with pytest.raises(ValueError, match=r"price must be >= 0 \(got -5.0\)"):
        net_cost(a, -5.0)
    with pytest.raises(ValueError, match=r"emissions must have one value per firm"):
        net_cost(a, 5.0, emissions=[1.0])
    with pytest.raises(ValueError, match=r"emissions are needed for the net cost"):
        net_cost(grandfathering(build(current_emissions=None), 100), 5.0)
    with pytest.raises(ValueError, match=r"by must be one of 'vintage'"):
        by_group(a, "colour")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"by='region' needs the firms' region"):
        by_group(a, "region")
    with pytest.raises(ValueError, match="values must be finite and >= 0"):
        gini([1.0, -2.0])
    with pytest.raises(ValueError, match="weights must match values"):
        gini([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="rules must name at least one rule"):
        compare(firms, 100, [])
    with pytest.raises(TypeError, match="rules must be a sequence of rule names"):
        compare(firms, 100, "grandfathering")


# ------------------------------------------------------------- reference


def test_reference_bad_input() -> None:
    with pytest.raises(ValueError, match=r"year must be one of 2019, 2020, 2021, 2022"):
        china_power_benchmarks(2030)
    with pytest.raises(ValueError, match=r"output must be 'electricity' or 'heat'"):
        china_power_benchmarks(2020, output="steam")
    with pytest.raises(ValueError, match=r"period must be one of 2013-2020, 2021-2025"):
        eu_product_benchmarks("2026-2030")
    with pytest.raises(ValueError, match=r"year must be one of 2013, 2020, 2021"):
        eu_correction_factor(2015)
    with pytest.raises(ValueError, match=r"name must be one of"):
        reference_table("us_benchmarks")


def test_no_argument_is_mutated_on_error(firms: Firms) -> None:
    quotas = np.array([1.0, -1.0])
    with pytest.raises(ValueError):
        largest_remainder(quotas, 3)
    assert quotas.tolist() == [1.0, -1.0]


def test_integers_beyond_float64_are_refused_by_name(firms: Firms) -> None:
    # float(10**400) raises OverflowError; the checks name the argument instead.
    bm = {"clinker": 0.8, "lime": 1.0}
    with pytest.raises(ValueError, match=r"reserve_share must be in \[0, 1\] \(got a number "
                                         r"of 401 digits\)"):
        grandfathering(firms, 100, reserve_share=10**400)
    with pytest.raises(ValueError, match=r"benchmarks\['lime'\] must be finite, >= 0 \(got a "
                                         r"number of 401 digits\)"):
        benchmarking(firms, 100, benchmarks={"clinker": 0.8, "lime": 10**400})
    with pytest.raises(ValueError, match=r"coefficient must be finite, >= 0 \(got a negative "
                                         r"number of 401 digits\)"):
        grandfathering(firms, 100, coefficient=-(10**400))
    with pytest.raises(ValueError, match=r"correction_factor must be finite and > 0 \(got a "
                                         r"number of 401 digits\)"):
        benchmarking(firms, benchmarks=bm, correction_factor=10**400)
