"""The Firms table: views, building from frames, copying and immutability."""

from __future__ import annotations

import math
from typing import Any

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


# ----------------------------------------------------------- fixed defects


def _one(**changes: object) -> Firms:
    columns: dict[str, object] = dict(
        product="p", entry_year=2000, base_years=[2020], emissions=[[1.0]], output=[[1.0]],
        current_output=[1.0],
    )
    columns.update(changes)
    return Firms(["a"], **columns)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # Stored as -9223372036854775808 with only a RuntimeWarning.
        ({"entry_year": [1e20]}, r"entry_year must be a year within 2\*\*63 .*1e\+20 at index 0"),
        # Became -1 silently.
        ({"entry_year": np.array([2**64 - 1], dtype=np.uint64)},
         "entry_year must be a year .*18446744073709551615 at index 0"),
        ({"entry_year": [2**70]}, "entry_year must be a year .*about 22 digits at index 0"),
        ({"base_years": [1e30], "entry_year": 0}, r"base_years must be a year .*1e\+30"),
        # OverflowError: int too large to convert to float.
        ({"current_output": [10**400]},
         "current_output must be finite .*integer of about 401 digits at index 0"),
        ({"emissions": [[10**400]]}, r"emissions must be finite .*at index \(0, 0\)"),
        ({"closure_year": [2**53 + 1]}, r"closure_year must be a year within 2\*\*53 "),
        ({"closure_year": [1e300]}, r"closure_year must be a year within 2\*\*53 .*1e\+300"),
    ],
)
def test_years_and_quantities_beyond_their_types_are_refused(
    changes: dict[str, object], message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        _one(**changes)


@pytest.mark.parametrize(
    ("closure", "message"),
    [
        ([True], "closure_year must hold years or None .*True at index 0"),  # read as year 1
        (["2025"], "closure_year must hold years or None .*'2025' at index 0"),  # read as 2025
        (np.array([True]), "closure_year must hold years or None .*True at index 0"),
        ([None, b"2025"], "closure_year must hold years or None"),
    ],
)
def test_closure_years_refuse_bools_and_strings(closure: list[Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Firms(["a", "b"][: len(closure)], product="p", entry_year=2000, base_years=[2020],
              emissions=[[1.0]] * len(closure), output=[[1.0]] * len(closure),
              current_output=[1.0] * len(closure), closure_year=closure)


def test_numbers_are_not_read_from_strings() -> None:
    with pytest.raises(TypeError, match=r"emissions must hold numbers .*'1.0' at index \(0, 0\)"):
        _one(emissions=np.array([["1.0"]], dtype=object))
    # None still marks a base year without a record, as nan does.
    assert _one(emissions=[[None]], output=[[None]]).is_new_entrant.tolist() == [True]


def test_allocation_year_beyond_int64_is_refused() -> None:
    from allocation import grandfathering

    f = _one(closure_year=[2030])
    # OverflowError: int too large to convert to float.
    with pytest.raises(ValueError, match=r"year must be below 2\*\*63 .*about 401 digits"):
        grandfathering(f, 10, year=10**400)
    with pytest.raises(ValueError, match=r"below 2\*\*63 \(got 9223372036854775808\)"):
        f.is_closed(2**63)
    assert f.is_closed(2**63 - 1).tolist() == [True]


def test_take_refuses_repeated_rows(firms: Firms) -> None:
    # The constructor refuses duplicate ids; take([0, 0]) built such a table.
    with pytest.raises(ValueError, match=r"rows must not repeat a row \(got row 0 2 times\)"):
        firms.take([0, 0])
    with pytest.raises(ValueError, match=r"rows must not repeat a row \(got row 3 2 times\)"):
        firms.take([3, 1, -1])
    with pytest.raises(ValueError, match=r"rows must be indices between -4 and 3 \(got 4 at"):
        firms.take([0, 4])
    with pytest.raises(TypeError, match="rows must be a boolean mask or integer indices"):
        firms.take([0.0])
    assert firms.take([-1, 0]).id.tolist() == ["gone", "p1"]
    assert len(firms.take([])) == 0
