"""Reading user files: errors name the file, the line and the field.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "bids.csv"
>>> _ = path.write_text("bidder,price,quantity\\nA,10.5,100\\nB,9,x\\n")
>>> read_bids_csv(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
allocation.files.InputFileError: ...bids.csv, line 3, field 'quantity': 'x' is not a whole number
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from auctions import Bids

__all__ = ["InputFileError", "read_bids_csv"]

BID_FIELDS = ("bidder", "price", "quantity")


class InputFileError(ValueError):
    """A problem in a user's file, located by file, line and field."""

    def __init__(self, path: str | Path, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field = str(path), line, field
        where = [self.path]
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


def _number(path: Path, line: int, field: str, text: str, whole: bool) -> float | int:
    try:
        value = float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise InputFileError(path, line, field, f"{text!r} is not {kind}") from None
    if not math.isfinite(value) or value < 0:
        raise InputFileError(path, line, field, f"{text!r} must be finite and >= 0")
    if whole:
        if not value.is_integer():
            raise InputFileError(path, line, field, f"{text!r} is not a whole number")
        return int(value)
    return value


def read_bids_csv(path: str | Path) -> Bids:
    """Bids from a CSV file with the columns ``bidder``, ``price``, ``quantity`` (and ``time``).

    Raises
    ------
    InputFileError
        A missing file or column, an empty file, or a value that is not a
        number, with the file, line and field.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as err:
        raise InputFileError(path, None, None, f"cannot be read ({err.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for name in BID_FIELDS:
            if name not in header:
                raise InputFileError(path, 1, name, f"missing column (header: {header})")
        timed = "time" in header
        rows: dict[str, list[Any]] = {name: [] for name in (*BID_FIELDS, "time")}
        for record in reader:
            line = reader.line_num
            if not record["bidder"]:
                raise InputFileError(path, line, "bidder", "is empty")
            rows["bidder"].append(record["bidder"])
            rows["price"].append(_number(path, line, "price", record["price"] or "", False))
            rows["quantity"].append(
                _number(path, line, "quantity", record["quantity"] or "", True)
            )
            if timed:
                rows["time"].append(_number(path, line, "time", record["time"] or "", False))
    if not rows["bidder"]:
        raise InputFileError(path, None, None, "has no bids")
    return Bids(bidder=rows["bidder"], price=rows["price"], quantity=rows["quantity"],
                time=rows["time"] if timed else None)
