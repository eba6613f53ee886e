"""Installations covered by an emissions trading system.

A :class:`Firms` table holds one row per installation: who it is, what it
makes, when it entered, what it emitted and produced over the regulator's
base years, and what it produces now. Free allocation rules read it; they
never change it.

The distinction the whole of :mod:`allocation` turns on is between
*incumbents*, which have history in the base period, and *new entrants*,
which have none. Rules that look back (grandfathering, historical activity)
have nothing to go on for a new entrant; the seeds of this project describe
exactly that asymmetry: old enterprises received free permits fixed before
the system began while new enterprises paid, so that "equal" treatment was not
fair (Yunnan seed, section 2.2).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._validate import as_labels, check_nonnegative_int
from auctions.bids import factorize

__all__ = ["Firms", "shown"]

LabelsLike = Iterable[Hashable] | ArrayLike


def shown(label: object) -> str:
    """A label as it reads in an error message (numpy scalars as Python values)."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def _labels(name: str, values: LabelsLike | str, n: int) -> NDArray[Any]:
    """Labels for ``n`` firms; a single string is repeated for every firm."""
    if isinstance(values, str):
        out = np.full(n, values, dtype=object)
        out.flags.writeable = False
        return out
    arr = as_labels(name, values)
    if len(arr) != n:
        raise ValueError(f"{name} must have one entry per firm (got {len(arr)} for {n} firms)")
    return arr


def _reals(name: str, values: ArrayLike, shape: tuple[int, ...], *, allow_nan: bool) -> Any:
    """A fresh read-only float64 array of ``shape``: >= 0, finite unless nan is allowed."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must hold numbers (got the string {values!r})")
    arr = np.asarray(values)
    if arr.dtype == object:
        arr = _object_reals(name, arr)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if len(shape) == 2 and arr.ndim == 1 and shape[1] == 1 and arr.shape[0] == shape[0]:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (got {arr.shape})")
    out = np.array(arr, dtype=np.float64, copy=True)
    bad = np.isinf(out) if allow_nan else ~np.isfinite(out)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite (got {float(out[where])!r} at index {_at(where)})"
        )
    neg = out < 0
    if neg.any():
        where = tuple(int(i) for i in np.argwhere(neg)[0])
        raise ValueError(f"{name} must be >= 0 (got {float(out[where])!r} at index {_at(where)})")
    out.flags.writeable = False
    return out


def _object_reals(name: str, arr: NDArray[Any]) -> NDArray[np.float64]:
    """An object array of numbers (None read as nan) as float64; strings, bools
    and numbers beyond float64 refused."""
    for where, v in np.ndenumerate(arr):
        if v is None:
            continue
        if isinstance(v, str | bytes | bool | np.bool_):
            raise TypeError(f"{name} must hold numbers (got {v!r} at index {_at(where)})")
        try:
            float(v)
        except OverflowError as err:
            raise ValueError(
                f"{name} must be finite (got {_number(v)} at index {_at(where)}, beyond float64)"
            ) from err
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must hold numbers (got {v!r} at index {_at(where)})") from err
    return arr.astype(np.float64)


def _number(value: object) -> str:
    """A number as an error message shows it (huge integers by their size)."""
    if isinstance(value, numbers.Integral) and abs(int(value)).bit_length() > 64:
        digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
        return f"an integer of about {digits} digits"
    return repr(value)


def _at(where: tuple[int, ...]) -> str:
    return str(where[0]) if len(where) == 1 else str(where)


#: Years are whole numbers held in int64; closure years, held in float64 with
#: nan for none, within 2**53 of 0, where float64 holds every whole number.
_YEAR_LIMIT = 2**63
_CLOSURE_LIMIT = 2**53


def _years(name: str, values: ArrayLike, n: int) -> NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one entry per firm (got shape {arr.shape})")
    if arr.dtype == object and all(_is_int(v) for v in arr.tolist()):
        big = [i for i, v in enumerate(arr.tolist()) if not -_YEAR_LIMIT <= v < _YEAR_LIMIT]
        if big:
            raise ValueError(_beyond(name, arr[big[0]], big[0]))
        arr = arr.astype(np.int64)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold whole years (got dtype {arr.dtype})")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.floor(arr))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be whole years (got {arr[i].item()!r} at index {i})")
    outside = (arr >= _YEAR_LIMIT) | (arr < -_YEAR_LIMIT) if arr.dtype.kind != "i" else None
    if outside is not None and outside.any():
        i = int(np.argmax(outside))
        raise ValueError(_beyond(name, arr[i].item(), i))
    out = np.array(arr, dtype=np.int64, copy=True)
    out.flags.writeable = False
    return out


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _beyond(name: str, value: object, i: int, limit: str = "2**63") -> str:
    return f"{name} must be a year within {limit} of 0 (got {_number(value)} at index {i})"


def _closure_year(value: object, i: int) -> float:
    """One closure year as a float: nan for None or nan; bools, strings, years
    that are not whole and years beyond 2**53 refused."""
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"closure_year must hold years or None (got {value!r} at index {i})")
    if isinstance(value, numbers.Integral) and _is_int(value):
        if abs(int(value)) > _CLOSURE_LIMIT:
            raise ValueError(_beyond("closure_year", value, i, "2**53"))
        return float(value)
    year = float(value)
    if math.isnan(year):
        return year
    if not year.is_integer():  # inf too
        raise ValueError(f"closure_year must be whole years (got {year!r} at index {i})")
    if abs(year) > _CLOSURE_LIMIT:
        raise ValueError(_beyond("closure_year", value, i, "2**53"))
    return year


class Firms:
    """One row per installation: identity, product, entry, history and current output.

    Parameters
    ----------
    id : sequence of hashable
        A unique label per installation.
    product : sequence of hashable or str
        The product (or benchmark) each installation makes; a single string
        applies to every installation.
    entry_year : int or sequence of int
        The year each installation started operating, a whole number within
        int64 (as are the base years).
    base_years : sequence of int
        The regulator's base (reference) years, strictly increasing.
    emissions, output : array_like, shape (n_firms, n_base_years)
        Emissions (tCO2e) and output (units of product) in each base year,
        finite and >= 0, ``nan`` where the installation has no record for that
        year. A year is either recorded in both or missing in both.
    current_output : sequence of float
        Output in the allocation (compliance) year, finite and >= 0.
    sector, region : sequence of hashable or str, optional
        Group labels used by sector factors and fairness measures.
    closure_year : sequence of int or None, optional
        The first year in which the installation no longer operates;
        ``None``/``nan`` for installations still open. Whole years within
        2**53 of 0 (they are held as float64); bools and strings are
        refused. Must not precede the entry year.
    capacity : sequence of float, optional
        Installed capacity, finite and >= 0 (for information and capacity
        based rules).
    current_emissions : sequence of float, optional
        Emissions in the allocation year (verified, declared or forecast),
        finite and >= 0, ``nan`` where unknown. Needed by
        :func:`allocation.equal_quantity`, by grandfathering's treatment of
        new entrants and by net compliance cost.

    Attributes
    ----------
    is_new_entrant : ndarray of bool
        True where the installation has no record in any base year.
    incumbents, new_entrants : Firms
        The installations with and without history.

    Raises
    ------
    ValueError, TypeError
        For duplicated ids, mismatched lengths or shapes, negative or
        non-finite quantities (or numbers beyond float64), bools or strings
        where numbers are expected, years that are not whole or lie beyond
        int64 (closure years beyond 2**53), years not increasing, a year
        recorded in one of emissions/output but not the other, history before
        the entry year, or a closure before entry.

    Examples
    --------
    Two cement plants with history in 2019-2020 and one that entered in 2021:

    >>> nan = float("nan")
    >>> firms = Firms(
    ...     ["old-1", "old-2", "new-1"], product="clinker", entry_year=[1998, 2005, 2021],
    ...     base_years=[2019, 2020],
    ...     emissions=[[800.0, 820.0], [500.0, nan], [nan, nan]],
    ...     output=[[1000.0, 1000.0], [700.0, nan], [nan, nan]],
    ...     current_output=[1000.0, 700.0, 900.0])
    >>> len(firms), firms.is_new_entrant.tolist()
    (3, [False, False, True])
    >>> firms.new_entrants.id.tolist(), len(firms.incumbents)
    (['new-1'], 2)
    """

    id: NDArray[Any]
    product: NDArray[Any]
    entry_year: NDArray[np.int64]
    base_years: NDArray[np.int64]
    emissions: NDArray[np.float64]
    output: NDArray[np.float64]
    current_output: NDArray[np.float64]
    sector: NDArray[Any] | None
    region: NDArray[Any] | None
    closure_year: NDArray[np.float64]
    capacity: NDArray[np.float64] | None
    current_emissions: NDArray[np.float64] | None

    def __init__(
        self,
        id: LabelsLike,
        *,
        product: LabelsLike | str,
        entry_year: ArrayLike,
        base_years: ArrayLike,
        emissions: ArrayLike,
        output: ArrayLike,
        current_output: ArrayLike,
        sector: LabelsLike | str | None = None,
        region: LabelsLike | str | None = None,
        closure_year: ArrayLike | Sequence[float | None] | None = None,
        capacity: ArrayLike | None = None,
        current_emissions: ArrayLike | None = None,
    ) -> None:
        ids = as_labels("id", id)
        n = len(ids)
        codes, uniques = factorize(ids)
        if len(uniques) != n:
            counts = np.bincount(codes)
            dup = uniques[int(np.argmax(counts))]
            raise ValueError(f"id must be unique (got {shown(dup)} {int(counts.max())} times)")
        years = _years("base_years", base_years, np.asarray(base_years).size)
        if years.size == 0:
            raise ValueError("base_years must not be empty")
        if years.size > 1 and (np.diff(years) <= 0).any():
            raise ValueError(f"base_years must be strictly increasing (got {years.tolist()})")
        k = years.size
        em = _reals("emissions", emissions, (n, k), allow_nan=True)
        out = _reals("output", output, (n, k), allow_nan=True)
        mismatch = np.isnan(em) != np.isnan(out)
        if mismatch.any():
            i, j = (int(x) for x in np.argwhere(mismatch)[0])
            which = "emissions" if np.isnan(out[i, j]) else "output"
            raise ValueError(
                f"emissions and output must be missing in the same base years "
                f"(firm {shown(ids[i])} has only {which} in {int(years[j])})"
            )
        entry = _years("entry_year", entry_year, n)
        early = ~np.isnan(em) & (years[None, :] < entry[:, None])
        if early.any():
            i, j = (int(x) for x in np.argwhere(early)[0])
            raise ValueError(
                f"emissions has a record for firm {shown(ids[i])} in {int(years[j])}, "
                f"before its entry_year {int(entry[i])}"
            )
        current = _reals("current_output", current_output, (n,), allow_nan=False)
        closure = self._closure(closure_year, n, entry, ids)
        self._set(
            id=ids,
            product=_labels("product", product, n),
            entry_year=entry,
            base_years=years,
            emissions=em,
            output=out,
            current_output=current,
            sector=None if sector is None else _labels("sector", sector, n),
            region=None if region is None else _labels("region", region, n),
            closure_year=closure,
            capacity=None
            if capacity is None
            else _reals("capacity", capacity, (n,), allow_nan=False),
            current_emissions=None
            if current_emissions is None
            else _reals("current_emissions", current_emissions, (n,), allow_nan=True),
        )

    @staticmethod
    def _closure(
        values: ArrayLike | Sequence[float | None] | None,
        n: int,
        entry: NDArray[np.int64],
        ids: NDArray[Any],
    ) -> NDArray[np.float64]:
        if values is None:
            out = np.full(n, np.nan)
        else:
            raw = np.asarray(values)
            if raw.ndim == 0:
                raw = np.full(n, raw.item(), dtype=object)
            if raw.shape != (n,):
                raise ValueError(
                    f"closure_year must have one entry per firm (got shape {raw.shape})"
                )
            if raw.dtype.kind in "iuf":  # numbers: checked at once
                out = raw.astype(np.float64)
                bad = np.isinf(out) | (np.isfinite(out) & (out != np.floor(out)))
                bad |= (raw > _CLOSURE_LIMIT) | (raw < -_CLOSURE_LIMIT)
                if bad.any():
                    i = int(np.argmax(bad))
                    _closure_year(raw[i].item(), i)  # raises
                    raise AssertionError(f"closure_year {raw[i]!r}")  # pragma: no cover
            else:  # None, bools and strings among them: one by one
                out = np.array([_closure_year(v, i) for i, v in enumerate(raw.tolist())],
                               dtype=np.float64)
            early = out < entry
            if early.any():
                i = int(np.argmax(early))
                raise ValueError(
                    f"closure_year of firm {shown(ids[i])} ({int(out[i])}) precedes its "
                    f"entry_year {int(entry[i])}"
                )
        out.flags.writeable = False
        return out

    # ------------------------------------------------------------------ frozen

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Firms is frozen; build a new one instead")

    def _set(self, **fields: object) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.id)

    def __repr__(self) -> str:
        n_new = int(self.is_new_entrant.sum())
        years = self.base_years
        span = f"{years[0]}" if years.size == 1 else f"{years[0]}-{years[-1]}"
        def count(k: int, word: str) -> str:
            return f"{k} {word}" if k == 1 else f"{k} {word}s"

        return (
            f"Firms({count(len(self), 'installation')}: "
            f"{count(len(self) - n_new, 'incumbent')}, {count(n_new, 'new entrant')}; "
            f"base years {span})"
        )

    # ------------------------------------------------------------- derived

    @cached_property
    def recorded(self) -> NDArray[np.bool_]:
        """True where a base year is recorded (shape ``(n_firms, n_base_years)``)."""
        out = ~np.isnan(self.emissions)
        out.flags.writeable = False
        return out

    @cached_property
    def is_new_entrant(self) -> NDArray[np.bool_]:
        """True for installations with no record in any base year."""
        out: NDArray[np.bool_] = np.asarray(~self.recorded.any(axis=1))
        out.flags.writeable = False
        return out

    @cached_property
    def product_codes(self) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """An integer code per firm and the distinct products (first appearance order)."""
        return factorize(self.product)

    @cached_property
    def id_rank(self) -> NDArray[np.int64]:
        """The rank of each id in sorted order: a tie-break independent of row order."""
        try:
            order = np.argsort(self.id, kind="stable")
        except TypeError:
            keys = [(type(x).__name__, repr(x)) for x in self.id.tolist()]
            order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)
        rank = np.empty(len(self), dtype=np.int64)
        rank[order] = np.arange(len(self))
        rank.flags.writeable = False
        return rank

    def is_closed(self, year: int) -> NDArray[np.bool_]:
        """True for installations closed in or before ``year``."""
        y = check_nonnegative_int("year", year)
        if y >= _YEAR_LIMIT:
            raise ValueError(f"year must be below 2**63 (got {_number(y)})")
        with np.errstate(invalid="ignore"):
            return np.asarray(self.closure_year <= y)

    @property
    def incumbents(self) -> Firms:
        """The installations with history in the base years."""
        return self.take(~self.is_new_entrant)

    @property
    def new_entrants(self) -> Firms:
        """The installations with no history in the base years."""
        return self.take(self.is_new_entrant)

    # ------------------------------------------------------------ building

    def take(self, rows: ArrayLike) -> Firms:
        """A new table with the given rows (a boolean mask or integer indices).

        Indices may be negative (counted from the end, as in numpy) but may
        not repeat a row: ids stay unique, as the constructor requires.

        Raises
        ------
        TypeError
            For rows that are neither a boolean mask nor integers.
        ValueError
            For a mask of the wrong shape, indices out of range or a row
            taken twice.

        Examples
        --------
        >>> f = Firms(["a", "b", "c"], product="p", entry_year=2000, base_years=[2020],
        ...           emissions=[[1.0], [2.0], [3.0]], output=[[1.0], [1.0], [1.0]],
        ...           current_output=[1.0, 1.0, 1.0])
        >>> f.take([2, 0]).id.tolist(), f.take([True, False, True]).id.tolist()
        (['c', 'a'], ['a', 'c'])
        >>> f.take([0, -3])
        Traceback (most recent call last):
        ...
        ValueError: rows must not repeat a row (got row 0 2 times): ids must stay unique
        """
        index = np.asarray(rows)
        n = len(self)
        if index.dtype == np.bool_:
            if index.shape != (n,):
                raise ValueError(f"rows mask must have shape ({n},) (got {index.shape})")
            return self._rebuild(np.flatnonzero(index))
        if index.size == 0:
            index = index.astype(np.intp)
        if index.dtype.kind not in "iu":
            raise TypeError(f"rows must be a boolean mask or integer indices (got dtype "
                            f"{index.dtype})")
        if index.ndim != 1:
            raise ValueError(f"rows must be one-dimensional (got shape {index.shape})")
        outside = (index >= n) | (index < -n)
        if outside.any():
            i = int(np.argmax(outside))
            raise ValueError(f"rows must be indices between {-n} and {n - 1} (got "
                             f"{index[i].item()} at position {i})")
        index = index.astype(np.intp) % max(n, 1)
        counts = np.bincount(index, minlength=n)
        if index.size and counts.max() > 1:
            row = int(np.argmax(counts))
            raise ValueError(f"rows must not repeat a row (got row {row} {int(counts[row])} "
                             "times): ids must stay unique")
        return self._rebuild(index)

    def replace(self, **fields: Any) -> Firms:
        """A new table with some columns replaced (validated again).

        Examples
        --------
        >>> f = Firms(["a"], product="p", entry_year=2000, base_years=[2020],
        ...           emissions=[[5.0]], output=[[10.0]], current_output=[10.0])
        >>> f.replace(current_output=[20.0]).current_output.tolist()
        [20.0]
        """
        columns = self._columns()
        unknown = set(fields) - set(columns)
        if unknown:
            raise TypeError(f"replace got unknown columns {sorted(unknown)}")
        columns.update(fields)
        ident = columns.pop("id")
        return Firms(ident, **columns)

    def _columns(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "product": self.product,
            "entry_year": self.entry_year,
            "base_years": self.base_years,
            "emissions": self.emissions,
            "output": self.output,
            "current_output": self.current_output,
            "sector": self.sector,
            "region": self.region,
            "closure_year": [None if y != y else y for y in self.closure_year.tolist()],
            "capacity": self.capacity,
            "current_emissions": self.current_emissions,
        }

    def _rebuild(self, index: NDArray[Any]) -> Firms:
        new = object.__new__(Firms)

        def pick(arr: NDArray[Any] | None) -> NDArray[Any] | None:
            if arr is None:
                return None
            out: NDArray[Any] = arr[index]
            out.flags.writeable = False
            return out

        new._set(
            id=pick(self.id),
            product=pick(self.product),
            entry_year=pick(self.entry_year),
            base_years=self.base_years,
            emissions=pick(self.emissions),
            output=pick(self.output),
            current_output=pick(self.current_output),
            sector=pick(self.sector),
            region=pick(self.region),
            closure_year=pick(self.closure_year),
            capacity=pick(self.capacity),
            current_emissions=pick(self.current_emissions),
        )
        return new

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        emissions_prefix: str = "emissions_",
        output_prefix: str = "output_",
    ) -> Firms:
        """A table from a wide data frame, one row per installation.

        Columns ``id``, ``product``, ``entry_year`` and ``current_output`` are
        required; ``sector``, ``region``, ``closure_year``, ``capacity`` and
        ``current_emissions`` are optional. Base-year history comes from
        columns named ``emissions_<year>`` and ``output_<year>`` (the
        prefixes can be changed); the years must be the same for both.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"id": ["a", "b"], "product": "clinker",
        ...     "entry_year": [2001, 2021], "current_output": [10.0, 12.0],
        ...     "emissions_2020": [8.0, None], "output_2020": [10.0, None]})
        >>> f = Firms.from_frame(df)
        >>> f.base_years.tolist(), f.is_new_entrant.tolist()
        ([2020], [False, True])
        >>> Firms.from_frame(f.to_frame()).id.tolist()
        ['a', 'b']
        """
        columns = [str(c) for c in getattr(frame, "columns", [])]

        def column(name: str) -> NDArray[Any]:
            if name not in columns:
                raise ValueError(f"frame has no column {name!r} (columns: {columns})")
            col = frame[name]
            return np.asarray(col.to_numpy() if hasattr(col, "to_numpy") else col)

        def years(prefix: str) -> dict[int, str]:
            found: dict[int, str] = {}
            for c in columns:
                if c.startswith(prefix) and c[len(prefix) :].isdigit():
                    found[int(c[len(prefix) :])] = c
            return found

        em_cols, out_cols = years(emissions_prefix), years(output_prefix)
        if not em_cols:
            raise ValueError(f"frame has no columns named {emissions_prefix}<year>")
        if sorted(em_cols) != sorted(out_cols):
            raise ValueError(
                f"frame must have the same years for {emissions_prefix}* and {output_prefix}* "
                f"(got {sorted(em_cols)} and {sorted(out_cols)})"
            )
        base = sorted(em_cols)

        def matrix(cols: Mapping[int, str]) -> NDArray[np.float64]:
            return np.column_stack([column(cols[y]).astype(np.float64) for y in base])

        def optional(name: str) -> NDArray[Any] | None:
            return column(name) if name in columns else None

        closure = optional("closure_year")
        return cls(
            column("id"),
            product=column("product"),
            entry_year=column("entry_year"),
            base_years=base,
            emissions=matrix(em_cols),
            output=matrix(out_cols),
            current_output=column("current_output"),
            sector=optional("sector"),
            region=optional("region"),
            closure_year=None
            if closure is None
            else [None if v is None or v != v else v for v in closure.tolist()],
            capacity=optional("capacity"),
            current_emissions=optional("current_emissions"),
        )

    def to_frame(self) -> Any:
        """The table as a wide :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        data: dict[str, Any] = {
            "id": self.id,
            "product": self.product,
            "entry_year": self.entry_year,
            "current_output": self.current_output,
        }
        for name in ("sector", "region", "capacity", "current_emissions"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if not np.isnan(self.closure_year).all():
            data["closure_year"] = self.closure_year
        for j, year in enumerate(self.base_years.tolist()):
            data[f"emissions_{year}"] = self.emissions[:, j]
            data[f"output_{year}"] = self.output[:, j]
        return pd.DataFrame(data)
