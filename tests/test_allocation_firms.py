"""The Firms table: views, building from frames, copying and immutability."""

from __future__ import annotations

import math

import numpy as np
import pytest

from allocation import Firms

nan = math.nan


@pytest.fixture
def firms() -> Firms:
    return Firms(
        ["p1", "p2", "new", "gone"],
        product=["clinker", "lime", "clinker", "lime"],
        entry_year=[1990, 2005, 2021, 1980],
        base_years=[2019, 2020],
        emissions=[[90.0, 95.0], [nan, 40.0], [nan, nan], [10.0, 10.0]],
        output=[[100.0, 100.0], [nan, 50.0], [nan, nan], [20.0, 20.0]],
        current_output=[100.0, 60.0, 80.0, 0.0],
        sector="minerals",
        region=["north", "south", "north", "south"],
        closure_year=[None, None, None, 2021],
        capacity=[120.0, 70.0, 90.0, 25.0],
        current_emissions=[92.0, 45.0, 60.0, 0.0],
    )


def test_incumbents_and_new_entrants(firms: Firms) -> None:
    assert firms.is_new_entrant.tolist() == [False, False, True, False]
    assert firms.incumbents.id.tolist() == ["p1", "p2", "gone"]
    assert firms.new_entrants.id.tolist() == ["new"]
    assert firms.new_entrants.product.tolist() == ["clinker"]
    assert firms.recorded.tolist() == [[True, True], [False, True], [False, False], [True, True]]
    assert repr(firms) == (
        "Firms(4 installations: 3 incumbents, 1 new entrant; base years 2019-2020)"
    )


def test_broadcast_labels_and_closures(firms: Firms) -> None:
    assert firms.sector is not None
    assert firms.sector.tolist() == ["minerals"] * 4
    assert firms.is_closed(2020).tolist() == [False, False, False, False]
    assert firms.is_closed(2021).tolist() == [False, False, False, True]
    assert np.isnan(firms.closure_year[:3]).all()


def test_id_rank_orders_ids_not_rows(firms: Firms) -> None:
    # Sorted ids: gone, new, p1, p2.
    assert firms.id_rank.tolist() == [2, 3, 1, 0]
    mixed = Firms(
        [3, "a", (1, 2)],
        product="x",
        entry_year=2000,
        base_years=[2020],
        emissions=[[1.0], [1.0], [1.0]],
        output=[[1.0], [1.0], [1.0]],
        current_output=[1.0, 1.0, 1.0],
    )
    assert sorted(mixed.id_rank.tolist()) == [0, 1, 2]


def test_take_and_replace(firms: Firms) -> None:
    sub = firms.take([3, 0])
    assert sub.id.tolist() == ["gone", "p1"]
    assert sub.emissions.tolist() == [[10.0, 10.0], [90.0, 95.0]]
    assert sub.closure_year[0] == 2021
    more = firms.replace(current_output=[1.0, 2.0, 3.0, 4.0])
    assert more.current_output.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert firms.current_output.tolist() == [100.0, 60.0, 80.0, 0.0]
    assert more.closure_year[3] == 2021
    with pytest.raises(ValueError, match="rows mask must have shape"):
        firms.take(np.array([True, False]))


def test_inputs_are_copied_not_shared() -> None:
    emissions = np.array([[1.0, 2.0]])
    output = np.array([[3.0, 4.0]])
    current = np.array([5.0])
    f = Firms(
        ["a"],
        product="x",
        entry_year=2000,
        base_years=[2019, 2020],
        emissions=emissions,
        output=output,
        current_output=current,
    )
    emissions[0, 0] = 100.0
    current[0] = 0.0
    assert f.emissions[0, 0] == 1.0
    assert f.current_output[0] == 5.0
    assert not f.emissions.flags.writeable


def test_single_base_year_accepts_a_column(firms: Firms) -> None:
    f = Firms(
        ["a", "b"],
        product="x",
        entry_year=2000,
        base_years=[2020],
        emissions=[5.0, nan],
        output=[10.0, nan],
        current_output=[1.0, 1.0],
    )
    assert f.emissions.shape == (2, 1)
    assert f.is_new_entrant.tolist() == [False, True]


def test_frame_round_trip(firms: Firms) -> None:
    pytest.importorskip("pandas")
    frame = firms.to_frame()
    assert list(frame.columns[:4]) == ["id", "product", "entry_year", "current_output"]
    assert "emissions_2019" in frame.columns and "output_2020" in frame.columns
    back = Firms.from_frame(frame)
    assert back.id.tolist() == firms.id.tolist()
    assert np.array_equal(back.emissions, firms.emissions, equal_nan=True)
    assert np.array_equal(back.output, firms.output, equal_nan=True)
    assert np.array_equal(back.closure_year, firms.closure_year, equal_nan=True)
    assert back.region is not None and back.region.tolist() == ["north", "south", "north", "south"]
    assert back.is_new_entrant.tolist() == firms.is_new_entrant.tolist()
