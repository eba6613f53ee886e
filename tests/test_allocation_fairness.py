"""Fairness measures worked by hand: permits and costs per unit of output, windfalls,
the vintage gap, the Gini coefficient, groups and the side-by-side comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from allocation import Firms, benchmarking, compare, grandfathering
from allocation.fairness import (
    by_group,
    gini,
    net_cost,
    net_cost_per_output,
    permits_per_output,
    twin_gap,
    vintage_gap,
    windfall,
)

nan = math.nan


@pytest.fixture
def market() -> Firms:
    """Two steel incumbents, one steel entrant, one cement incumbent and entrant."""
    return Firms(
        ["s-old-1", "s-old-2", "s-new", "c-old", "c-new"],
        product=["steel", "steel", "steel", "cement", "cement"],
        entry_year=[1980, 1990, 2021, 1985, 2021],
        base_years=[2020],
        emissions=[[1200.0], [600.0], [nan], [900.0], [nan]],
        output=[[1000.0], [500.0], [nan], [1000.0], [nan]],
        current_output=[1000.0, 500.0, 500.0, 1000.0, 1000.0],
        sector=["metals", "metals", "metals", "minerals", "minerals"],
        region=["east", "west", "west", "east", "west"],
        current_emissions=[1200.0, 600.0, 600.0, 900.0, 900.0],
    )


def test_grandfathering_measures_by_hand(market: Firms) -> None:
    # Cap 2100 shared 1200 : 600 : 900 (total 2700): 933.33, 466.67, 700.
    # Floors 933 + 466 + 700 = 2099; the last permit to s-old-2 (.67).
    a = grandfathering(market, 2100)
    assert a.permits.tolist() == [933, 467, 0, 700, 0]
    assert permits_per_output(a).tolist() == [0.933, 0.934, 0.0, 0.7, 0.0]
    # At 50 per permit: windfalls 46,650, 23,350, 0, 35,000, 0.
    assert windfall(a, 50.0).tolist() == [46_650.0, 23_350.0, 0.0, 35_000.0, 0.0]
    # Net cost 50 x (emissions - permits): 50 x 267 = 13,350; 50 x 133 = 6,650;
    # the steel entrant pays for all 600: 30,000; cement 50 x 200 = 10,000; 45,000.
    assert net_cost(a, 50.0).tolist() == [13_350.0, 6_650.0, 30_000.0, 10_000.0, 45_000.0]
    assert net_cost_per_output(a, 50.0).tolist() == [13.35, 13.3, 60.0, 10.0, 45.0]


def test_vintage_gap_by_hand(market: Firms) -> None:
    a = grandfathering(market, 2100)
    gap = vintage_gap(a)
    # Steel: incumbents (933 + 467) / 1500 = 0.9333..; entrant 0 / 500 = 0.
    # Cement: incumbent 700 / 1000 = 0.7; entrant 0.
    assert gap.product.tolist() == ["steel", "cement"]
    assert gap.incumbent == pytest.approx([1400 / 1500, 0.7])
    assert gap.new_entrant.tolist() == [0.0, 0.0]
    # Overall: weighted by the entrants' output (500 steel, 1000 cement):
    # (0.9333 x 500 + 0.7 x 1000) / 1500 = 0.7778.
    assert gap.overall == pytest.approx((1400 / 1500 * 500 + 0.7 * 1000) / 1500)
    # At 50 per permit the steel entrant pays 46.67 more per tonne than an
    # incumbent of identical technology.
    assert gap.cost_gap(50.0) == pytest.approx([50 * 1400 / 1500, 35.0])


def test_benchmarking_on_current_output_closes_the_gap(market: Firms) -> None:
    a = benchmarking(market, benchmarks={"steel": 1.0, "cement": 0.7}, activity="current")
    assert a.permits.tolist() == [1000, 500, 500, 700, 700]
    gap = vintage_gap(a)
    assert gap.gap.tolist() == [0.0, 0.0]
    assert gap.overall == 0.0
    twins = twin_gap(
        "benchmarking", market, None, benchmarks={"steel": 1.0, "cement": 0.7}, activity="current"
    )
    assert twins[[0, 1, 3]].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(twins[[2, 4]]).all()


def test_twin_gap_under_grandfathering_is_the_incumbent_s_allocation(market: Firms) -> None:
    # Without a cap each incumbent keeps its baseline; its twin gets nothing:
    # 1200 / 1000, 600 / 500, 900 / 1000.
    gaps = twin_gap("grandfathering", market, None)
    assert gaps[[0, 1, 3]].tolist() == [1.2, 1.2, 0.9]


def test_gini_by_hand() -> None:
    # Values 1, 2, 3, 4: sum_i (2i - n - 1) x_i / (n sum x) = (-3 - 2 + 3 + 12) / 40.
    assert gini([1.0, 2.0, 3.0, 4.0]) == pytest.approx(10 / 40)
    # One holder of everything among n = 4: (n - 1) / n.
    assert gini([0.0, 0.0, 0.0, 5.0]) == pytest.approx(0.75)
    # Weights count like repeated values: 1 (weight 2) and 4 equals 1, 1, 4:
    # (-2 - 0 + 8) / (3 x 6) = 1/3.
    assert gini([1.0, 4.0], [2.0, 1.0]) == pytest.approx(gini([1.0, 1.0, 4.0]))
    assert gini([1.0, 1.0, 4.0]) == pytest.approx(6 / 18)
    assert gini([nan, 2.0, 2.0]) == 0.0
    assert gini([0.0, 0.0]) == 0.0


def test_by_group_vintage_sector_region(market: Firms) -> None:
    a = grandfathering(market, 2100)
    vintage = by_group(a, "vintage", price=50.0)
    assert vintage.group.tolist() == ["incumbent", "new_entrant"]
    assert vintage.firms.tolist() == [3, 2]
    assert vintage.output.tolist() == [2500.0, 1500.0]
    assert vintage.permits.tolist() == [2100.0, 0.0]
    assert vintage.permits_per_output.tolist() == [0.84, 0.0]
    assert vintage.windfall is not None and vintage.windfall.tolist() == [105_000.0, 0.0]
    # Incumbents: 50 x (2700 - 2100) / 2500 = 12; entrants: 50 x 1500 / 1500 = 50.
    assert vintage.net_cost_per_output is not None
    assert vintage.net_cost_per_output.tolist() == [12.0, 50.0]
    sector = by_group(a, "sector")
    assert sector.group.tolist() == ["metals", "minerals"]
    assert sector.permits.tolist() == [1400.0, 700.0]
    assert sector.windfall is None and sector.net_cost_per_output is None
    region = by_group(a, "region")
    assert region.group.tolist() == ["east", "west"]
    assert region.permits.tolist() == [1633.0, 467.0]
    # Within the new entrants everybody has zero: no inequality.
    assert vintage.gini[1] == 0.0


def test_compare_side_by_side(market: Firms) -> None:
    c = compare(
        market,
        2100,
        {
            "grandfathering": {},
            "output-based": {
                "rule": "benchmarking",
                "activity": "current",
                "benchmarks": {"steel": 1.0, "cement": 0.7},
            },
            "equal_quantity": {},
        },
        price=50.0,
    )
    assert c.labels == ("grandfathering", "output-based", "equal_quantity")
    # Output-based: 1000, 500, 500, 700, 700 = 3400 > 2100: factor 2100 / 3400;
    # quotas 617.65, 308.82, 308.82, 432.35, 432.35 -> floors 2097; the 3 left go
    # to the largest remainders: s-old-2 and s-new (.82), then s-old-1 (.65).
    # Equal quantity: 4200 emitted, factor 0.5: 600, 300, 300, 450, 450.
    assert c.permits[:, 0].tolist() == [933, 467, 0, 700, 0]
    assert c.permits[:, 1].tolist() == [618, 309, 309, 432, 432]
    assert c.permits[:, 2].tolist() == [600, 300, 300, 450, 450]
    assert c.summary["grandfathering"]["free"] == 2100.0
    assert c.summary["equal_quantity"]["vintage_gap"] == pytest.approx(0.0)
    assert c.summary["grandfathering"]["vintage_gap"] > 0.7
    assert c.summary["output-based"]["new_entrant_net_cost_per_output"] == pytest.approx(
        50 * (1500 - 741) / 1500
    )
    text = str(c)
    assert text.splitlines()[0].split() == ["measure", *c.labels]
    assert "vintage_gap" in text


def test_frames() -> None:
    pd = pytest.importorskip("pandas")
    f = Firms(
        ["a", "b"],
        product="p",
        entry_year=[2000, 2021],
        base_years=[2020],
        emissions=[[10.0], [nan]],
        output=[[10.0], [nan]],
        current_output=[10.0, 5.0],
        current_emissions=[10.0, 5.0],
    )
    a = grandfathering(f, 8)
    frame = a.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame["permits"].tolist() == [8, 0]
    assert frame["new_entrant"].tolist() == [False, True]
    c = compare(f, 8, ["grandfathering", "equal_quantity"])
    assert c.to_frame()["equal_quantity"].tolist() == [5, 3]
    assert list(c.summary_frame().columns) == ["grandfathering", "equal_quantity"]
    assert by_group(a).to_frame()["vintage"].tolist() == ["incumbent", "new_entrant"]


# ----------------------------------------------------------- fixed defects


def test_gini_of_values_near_the_top_of_the_float_range() -> None:
    # (w * x).sum() overflowed to inf and the coefficient came out nan.
    assert gini([1e308, 1e308]) == 0.0
    assert gini([1e200, 3e200], [1e200, 1e200]) == pytest.approx(0.25, abs=1e-15)
    assert gini([1.0, 2.0], [1e308, 1e308]) == gini([1.0, 2.0])


@st.composite
def weighted_samples(draw: st.DrawFn) -> tuple[list[float], list[float], int, int, list[int]]:
    """Values and weights on a grid of 1/64 (exact when scaled by a power of
    two), two scales and a permutation."""
    n = draw(st.integers(1, 12))
    grid = st.integers(0, 64 * 1000).map(lambda k: k / 64)
    values = draw(st.lists(grid, min_size=n, max_size=n))
    weights = draw(st.lists(grid.filter(lambda w: w > 0), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    return values, weights, draw(st.integers(-900, 900)), draw(st.integers(-900, 900)), order


@given(weighted_samples())
@example(([1.0, 3.0], [1.0, 1.0], 662, 662, [1, 0]))  # was nan: the weighted sum overflowed
@example(([0.1 * 64 // 1 / 64, 0.5, 0.5], [3.0, 1.0, 2.0], 0, 0, [2, 1, 0]))
def test_gini_ignores_scale_and_order_bit_for_bit(
    case: tuple[list[float], list[float], int, int, list[int]],
) -> None:
    values, weights, k, j, order = case
    x, w = np.array(values), np.array(weights)
    g = gini(x, w)
    assert gini(np.ldexp(x, k), np.ldexp(w, j)) == g
    assert gini(x[order], w[order]) == g


def test_gini_refuses_empty_input_and_nothing_to_measure() -> None:
    with pytest.raises(ValueError, match="values must not be empty"):
        gini([])
    with pytest.raises(ValueError, match=r"at least one value \(not nan\).*2 values, 0 of them"):
        gini([nan, nan])
    with pytest.raises(ValueError, match=r"at least one value .* with a positive weight"):
        gini([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"weights must be finite and >= 0 .*nan at index 1"):
        gini([1.0, nan], [1.0, nan])
    with pytest.raises(TypeError, match="values must hold real numbers"):
        gini(["1", "2"])


def test_gini_nan_policy() -> None:
    # By default a nan value is undefined (no output) and left out with its
    # weight; nan_policy="raise" refuses it, naming its index.
    assert gini([1.0, nan, 3.0], [1.0, 5.0, 1.0]) == gini([1.0, 3.0])
    with pytest.raises(ValueError, match=r"nan_policy='raise' .*nan at index 1"):
        gini([1.0, nan, 3.0], nan_policy="raise")
    assert gini([1.0, 3.0], nan_policy="raise") == 0.25
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        gini([1.0], nan_policy="propagate")  # type: ignore[arg-type]


@st.composite
def shuffled_markets(draw: st.DrawFn) -> tuple[Firms, list[int]]:
    """Firms whose outputs and emissions do not add up exactly in float64, and a
    permutation of their rows."""
    n = draw(st.integers(2, 10))
    amounts = st.sampled_from([0.1, 0.2, 0.3, 0.7, 1.0, 3.3, 1e16, 7e-3, 123.456])
    out = draw(st.lists(amounts, min_size=n, max_size=n))
    now = draw(st.lists(amounts, min_size=n, max_size=n))
    emitted = draw(st.lists(amounts, min_size=n, max_size=n))
    new = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    product = draw(st.lists(st.sampled_from(["steel", "cement"]), min_size=n, max_size=n))
    firms = Firms(
        [f"f{i}" for i in range(n)],
        product=product,
        entry_year=[2021 if x else 2000 for x in new],
        base_years=[2020],
        emissions=[[nan] if x else [e] for x, e in zip(new, emitted, strict=True)],
        output=[[nan] if x else [o] for x, o in zip(new, out, strict=True)],
        current_output=now,
        sector=product,
        region=draw(st.lists(st.sampled_from(["east", "west"]), min_size=n, max_size=n)),
        current_emissions=emitted,
    )
    return firms, draw(st.permutations(range(n)))


_SHUFFLED = Firms(
    ["a", "b", "c"],
    product="steel",
    entry_year=2000,
    base_years=[2020],
    emissions=[[1.0], [1.0], [1.0]],
    output=[[1.0], [1.0], [1.0]],
    current_output=[0.1, 0.2, 0.3],  # 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1 in float64
    sector="metals",
    region=["east", "west", "east"],
    current_emissions=[0.1, 0.2, 0.3],
)


def _by_label(labels: np.ndarray, *columns: np.ndarray | None) -> dict[object, list[float]]:
    present = [c for c in columns if c is not None]
    return {g: [float(c[i]) for c in present] for i, g in enumerate(labels.tolist())}


def _same_bits(a: dict[object, list[float]], b: dict[object, list[float]]) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(np.array(a[k]), np.array(b[k]), equal_nan=True) for k in a
    )


@given(shuffled_markets())
@example((_SHUFFLED, [2, 1, 0]))  # group sums were added in row order
def test_group_measures_do_not_depend_on_the_order_of_the_rows(
    case: tuple[Firms, list[int]],
) -> None:
    firms, order = case
    a, b = grandfathering(firms, None), grandfathering(firms.take(order), None)
    assert b.permits.tolist() == a.permits[order].tolist()
    for by in ("vintage", "product", "sector", "region"):
        sa, sb = by_group(a, by, price=30.0), by_group(b, by, price=30.0)
        fields = ("firms", "output", "permits", "permits_per_output", "gini", "windfall",
                  "net_cost_per_output")
        assert _same_bits(
            _by_label(sa.group, *(getattr(sa, f) for f in fields)),
            _by_label(sb.group, *(getattr(sb, f) for f in fields)),
        ), by
    ga, gb = vintage_gap(a), vintage_gap(b)
    assert _same_bits(
        _by_label(ga.product, ga.incumbent, ga.new_entrant, ga.gap),
        _by_label(gb.product, gb.incumbent, gb.new_entrant, gb.gap),
    )
    assert np.array_equal([ga.overall], [gb.overall], equal_nan=True)


def test_group_sums_are_correctly_rounded() -> None:
    s = by_group(grandfathering(_SHUFFLED, None), "product", price=1.0)
    assert s.output.tolist() == [math.fsum([0.1, 0.2, 0.3])]
    assert s.net_cost_per_output is not None


def test_twin_gap_without_incumbents_is_all_nan(market: Firms) -> None:
    # The docstring promises nan for new entrants; it raised "id must not be empty".
    entrants = market.new_entrants
    gaps = twin_gap("grandfathering", entrants, None)
    assert gaps.shape == (2,) and np.isnan(gaps).all()
    assert np.isnan(twin_gap("benchmarking", entrants, None, benchmarks={"steel": 1.0,
                             "cement": 0.7}, activity="current")).all()
    with pytest.raises(ValueError, match="cap"):  # the rule still checks its arguments
        twin_gap("grandfathering", entrants, -5)


def test_twin_gap_refuses_a_year_beyond_int64(market: Firms) -> None:
    with pytest.raises(ValueError, match=r"year must be below 2\*\*63"):
        twin_gap("grandfathering", market, None, year=2**63)


def test_by_group_gini_is_nan_for_a_group_without_output(market: Firms) -> None:
    # Both entrants produce nothing: no permits per unit of output to compare.
    idle = market.replace(current_output=[1000.0, 500.0, 0.0, 1000.0, 0.0])
    s = by_group(grandfathering(idle, 2100))
    assert s.gini[0] == pytest.approx(gini([0.933, 0.934, 0.7], [1000.0, 500.0, 1000.0]))
    assert math.isnan(s.gini[1])


def test_compare_refuses_repeated_rules_and_options_that_are_not_mappings(
    market: Firms,
) -> None:
    # The second "grandfathering" was dropped and the rule ran once.
    with pytest.raises(ValueError, match=r"rules must not repeat a rule .*'grandfathering' twice"):
        compare(market, 2100, ["grandfathering", "grandfathering"])
    with pytest.raises(ValueError, match="'historical_emissions' twice"):
        compare(market, 2100, ["equal_quantity", "historical_emissions", "historical_emissions"])
    with pytest.raises(TypeError, match=r"options of rule 'grandfathering' .* mapping .*None"):
        compare(market, 2100, {"grandfathering": None})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"options of rule 'x' must be a mapping .*'benchmarking'"):
        compare(market, 2100, {"x": "benchmarking"})  # type: ignore[dict-item]
    # Checked before any rule runs: a bad rule after a good one.
    with pytest.raises(ValueError, match="rule must be one of"):
        compare(market, 2100, ["grandfathering", "nope"])
    runs = compare(market, 2100, {"gf": {"rule": "grandfathering"},
                                  "gf-again": {"rule": "grandfathering"}})
    assert runs.labels == ("gf", "gf-again")
