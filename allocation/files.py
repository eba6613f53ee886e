"""Reading user files: errors name the file, the line and the field.

Files are read as UTF-8 (a leading byte-order mark, as Excel writes, is
skipped). A CSV file's header must name each column once, and every row must
have exactly as many fields as the header: nothing is dropped or guessed.

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

import codecs
import csv
import io
import math
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from auctions import Bids

__all__ = ["CsvTable", "InputFileError", "read_bids_csv", "read_csv_table", "read_text"]

BID_FIELDS = ("bidder", "price", "quantity")
#: Columns a bids file may have besides :data:`BID_FIELDS`.
OPTIONAL_BID_FIELDS = ("time",)
#: A decimal number as written in a file: digits, an optional fraction and exponent.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Quantities are stored as int64.
_WHOLE_LIMIT = 2**63


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputFileError(path, None, None, f"cannot be read ({err.strerror})") from None


def _csv_field(data: bytes, line_start: int, at: int) -> str | None:
    """The header's name for the CSV field holding byte ``at`` (None if unknown)."""
    header_line = data.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    before = data[line_start:at].decode("utf-8", "replace")
    try:
        header = next(csv.reader([header_line]), [])
        index = len(next(csv.reader([before]), None) or [""]) - 1
    except csv.Error:
        return None
    return header[index] if line_start > 0 and index < len(header) else None


def _decode(path: Path, data: bytes, *, csv_fields: bool = False) -> str:
    """``data`` as UTF-8 text without a byte-order mark, or an error at the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, line_start) + 1
        field = _csv_field(data, line_start, err.start) if csv_fields else None
        column = len(data[line_start:err.start].decode("utf-8", "replace")) + 1
        raise InputFileError(
            path, line, field, f"byte 0x{data[err.start]:02x} at column {column} is not "
            "UTF-8 text (save the file as UTF-8)") from None


def read_text(path: str | Path) -> str:
    """The text of a UTF-8 file (a leading byte-order mark is skipped).

    Raises
    ------
    InputFileError
        If the file cannot be read, or at the line and column of the first
        byte that is not UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scenario.toml"
    >>> _ = path.write_bytes(b'name = "x"\\nnote = "caf\\xe9"\\n')
    >>> read_text(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    allocation.files.InputFileError: ...scenario.toml, line 2: byte 0xe9 at column 12 ...
    """
    path = Path(path)
    return _decode(path, _read_bytes(path))


class CsvTable:
    """The rows of a CSV file under its header, each with its line number.

    Attributes
    ----------
    path : Path
        The file read.
    header : list of str
        The column names, each distinct.
    rows : list of (int, dict)
        For each record, its first line in the file and its fields by column name.
    """

    def __init__(self, path: Path, header: list[str], rows: list[tuple[int, dict[str, str]]]):
        self.path, self.header, self.rows = path, header, rows


def _check_header(path: Path, header: list[str]) -> None:
    if not header:
        raise InputFileError(path, 1, None, "has no header (the file is empty)")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputFileError(path, 1, name, f"column appears twice (header: {header})")
        seen.add(name)


def _fields(n: int) -> str:
    return f"{n} field" if n == 1 else f"{n} fields"


def _check_width(path: Path, line: int, header: list[str], fields: list[str]) -> None:
    if len(fields) < len(header):
        raise InputFileError(path, line, header[len(fields)],
                             f"is missing (the row has {_fields(len(fields))}, the header "
                             f"{len(header)})")
    if len(fields) > len(header):
        raise InputFileError(path, line, None,
                             f"has {_fields(len(fields))} but the header has {len(header)} "
                             f"(extra: {fields[len(header):]})")


def read_csv_table(path: str | Path) -> CsvTable:
    """The header and rows of a UTF-8 CSV file, checked for shape.

    Blank lines are skipped. A header naming a column twice, a row with more
    or fewer fields than the header, and a badly quoted field (an unclosed
    quote, or text after a closing quote) are refused.

    Raises
    ------
    InputFileError
        If the file cannot be read or decoded, is empty, has a duplicate
        column, a row of the wrong width, or is not valid CSV.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("a,b\\n1,2\\n\\n3,4\\n")
    >>> table = read_csv_table(path)
    >>> table.header, table.rows
    (['a', 'b'], [(2, {'a': '1', 'b': '2'}), (4, {'a': '3', 'b': '4'})])
    >>> _ = path.write_text("a,b\\n1,2,3\\n")
    >>> read_csv_table(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    allocation.files.InputFileError: ...t.csv, line 2: has 3 fields ... (extra: ['3'])
    """
    path = Path(path)
    text = _decode(path, _read_bytes(path), csv_fields=True)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        header = next(reader, [])
        _check_header(path, header)
        rows = []
        line = reader.line_num + 1
        for fields in reader:
            if fields:
                _check_width(path, line, header, fields)
                rows.append((line, dict(zip(header, fields, strict=True))))
            line = reader.line_num + 1
    except csv.Error as err:
        raise InputFileError(path, line, None, f"is not valid CSV ({err})") from None
    return CsvTable(path, header, rows)


def _number(path: Path, line: int, field: str, text: str) -> float:
    """A finite number >= 0, written in decimal."""
    if not _DECIMAL.fullmatch(text.strip()):
        raise InputFileError(path, line, field, f"{text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise InputFileError(path, line, field, f"{text!r} must be finite (at most 1.8e308)")
    if value < 0:
        raise InputFileError(path, line, field, f"{text!r} must be >= 0")
    return value


def _whole(path: Path, line: int, field: str, text: str) -> int:
    """A whole number from 0 to 2**63 - 1, read exactly (``100``, ``100.0`` or ``1e2``)."""
    if not _DECIMAL.fullmatch(text.strip()):
        raise InputFileError(path, line, field, f"{text!r} is not a whole number")
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InputFileError(path, line, field, f"{text!r} is out of range") from None
    if value < 0:
        raise InputFileError(path, line, field, f"{text!r} must be >= 0")
    if value >= _WHOLE_LIMIT:
        raise InputFileError(path, line, field,
                             f"{text!r} must be less than 2**63 = {_WHOLE_LIMIT}")
    if value != value.to_integral_value():
        raise InputFileError(path, line, field, f"{text!r} is not a whole number")
    return int(value)


def _check_bid_columns(path: Path, header: list[str]) -> None:
    for name in BID_FIELDS:
        if name not in header:
            raise InputFileError(path, 1, name, f"missing column (header: {header})")
    for name in header:
        if name not in BID_FIELDS + OPTIONAL_BID_FIELDS:
            known = ", ".join(BID_FIELDS + OPTIONAL_BID_FIELDS)
            blank = " (a column without a name: a comma at the end of the header?)"
            raise InputFileError(path, 1, name, f"unknown column{blank if not name else ''}; "
                                 f"the columns are {known}")


def _bid(path: Path, line: int, record: dict[str, str], timed: bool) -> dict[str, Any]:
    """The fields of one bid, read from its record."""
    if not record["bidder"]:
        raise InputFileError(path, line, "bidder", "is empty")
    bid: dict[str, Any] = {"bidder": record["bidder"],
                           "price": _number(path, line, "price", record["price"]),
                           "quantity": _whole(path, line, "quantity", record["quantity"])}
    if timed:
        bid["time"] = _number(path, line, "time", record["time"])
    return bid


def read_bids_csv(path: str | Path) -> Bids:
    """Bids from a CSV file with the columns ``bidder``, ``price``, ``quantity`` (and ``time``).

    The file is UTF-8 (a byte-order mark is skipped), with each column named
    once in its header, no other columns, and as many fields in each row as
    in the header. ``price`` and ``time`` are decimal numbers >= 0;
    ``quantity`` is a whole number from 0 to 2**63 - 1, read exactly: it may
    be written ``100``, ``100.0`` or ``1e2``, but ``100.5`` is refused.

    Raises
    ------
    InputFileError
        A missing file, an empty file, a missing, unknown or repeated column,
        a row of the wrong width, or a value that is not a number of the
        right kind, with the file, line and field; or bids that
        :class:`auctions.Bids` refuses as a whole (such as quantities
        totalling 2**63 or more), with the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "bids.csv"
    >>> _ = path.write_text("bidder,price,quantity\\nA,10.5,9007199254740993\\nB,9,1e3\\n")
    >>> read_bids_csv(path).quantity.tolist()
    [9007199254740993, 1000]
    """
    table = read_csv_table(path)
    path = table.path
    _check_bid_columns(path, table.header)
    if not table.rows:
        raise InputFileError(path, None, None, "has no bids")
    timed = "time" in table.header
    columns: dict[str, list[Any]] = {name: [] for name in (*BID_FIELDS, "time")}
    for line, record in table.rows:
        for name, value in _bid(path, line, record, timed).items():
            columns[name].append(value)
    try:
        return Bids(bidder=columns["bidder"], price=columns["price"],
                    quantity=columns["quantity"], time=columns["time"] if timed else None)
    except (ValueError, TypeError) as err:
        raise InputFileError(path, None, None, str(err)) from None
