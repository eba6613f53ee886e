"""Reading bids files (``allocation.files``) and the ``permits`` command's errors.

Every error names the file, line and field, or the option, on one line, with
exit status 2 and no traceback.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from allocation.cli import main
from allocation.files import InputFileError, read_bids_csv, read_csv_table, read_text

HEADER = "bidder,price,quantity\n"


def write(tmp_path, content: str | bytes, name: str = "bids.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refused(path, line, field, message):
    with pytest.raises(InputFileError) as info:
        read_bids_csv(path)
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), line, field), str(err)
    assert message in str(err)
    return str(err)


def run(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    err = capsys.readouterr().err
    return status, err


def one_line_error(capsys, *argv: str) -> str:
    status, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith("permits: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# --- whole numbers are read exactly ---------------------------------------------------------


@given(st.integers(0, 2**63 - 1))
@example(9007199254740993)
@example(2**63 - 1)
def test_quantities_are_read_exactly(tmp_path_factory, quantity):
    path = write(tmp_path_factory.mktemp("q"), f"{HEADER}A,10,{quantity}\n")
    assert read_bids_csv(path).quantity.tolist() == [quantity]


@pytest.mark.parametrize(("text", "quantity"), [("5.0", 5), ("1e3", 1000), ("+7", 7),
                                                 ("-0", 0), (" 12 ", 12),
                                                 ("9223372036854775807.000", 2**63 - 1)])
def test_whole_quantities_written_as_decimals_are_exact(tmp_path, text, quantity):
    path = write(tmp_path, f"{HEADER}A,10,{text}\n")
    assert read_bids_csv(path).quantity.tolist() == [quantity]


@pytest.mark.parametrize(("text", "message"), [
    ("9223372036854775808", "must be less than 2**63"),
    ("99999999999999999999999", "must be less than 2**63"),
    ("1e30", "must be less than 2**63"),
    ("1e99999999999999999999999999", "is out of range"),
    ("-1", "must be >= 0"),
    ("2.5", "is not a whole number"),
    ("5.0000000000000001", "is not a whole number"),
    ("1_000", "is not a whole number"),
    ("inf", "is not a whole number"),
    ("", "is not a whole number"),
])
def test_bad_quantities_name_file_line_and_field(tmp_path, text, message):
    path = write(tmp_path, f"{HEADER}A,10,1\nB,9,{text}\n")
    refused(path, 3, "quantity", f"{text!r} {message}")


@pytest.mark.parametrize(("text", "message"), [
    ("1e400", "must be finite"), ("nan", "is not a number"), ("1_0", "is not a number"),
    ("-2", "must be >= 0"), ("ten", "is not a number"),
])
def test_bad_prices_name_file_line_and_field(tmp_path, text, message):
    path = write(tmp_path, f"{HEADER}A,{text},1\n")
    refused(path, 2, "price", f"{text!r} {message}")


def test_whole_table_errors_name_the_file(tmp_path):
    path = write(tmp_path, f"{HEADER}A,1,{2**62}\nB,1,{2**62}\n")
    text = refused(path, None, None, "must total less than 2**63")
    assert text.startswith(f"{path}: ")


# --- encoding --------------------------------------------------------------------------------


def test_a_byte_order_mark_is_skipped(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + f"{HEADER}A,10,5\n".encode())
    bids = read_bids_csv(path)
    assert bids.bidder.tolist() == ["A"] and bids.quantity.tolist() == [5]


def test_bytes_that_are_not_utf8_are_located(tmp_path):
    path = write(tmp_path, HEADER.encode() + b"A,10,5\nB\xe9,1,1\n")
    refused(path, 3, "bidder", "byte 0xe9 at column 2 is not UTF-8")
    path = write(tmp_path, HEADER.encode() + b"A,10,\xff\n")
    refused(path, 2, "quantity", "byte 0xff at column 6 is not UTF-8")
    path = write(tmp_path, b"\xffbidder,price,quantity\n")
    refused(path, 1, None, "byte 0xff at column 1 is not UTF-8")


def test_read_text_locates_a_bad_byte(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfname = 'x'\n\n# caf\xe9\n", "s.toml")
    with pytest.raises(InputFileError, match=r"s\.toml, line 3: byte 0xe9 at column 6"):
        read_text(path)
    path = write(tmp_path, b"\xef\xbb\xbfname = 'x'\n", "s.toml")
    assert read_text(path) == "name = 'x'\n"


# --- shape of the table ----------------------------------------------------------------------


def test_a_row_with_an_extra_field_is_refused(tmp_path):
    path = write(tmp_path, f"{HEADER}A,10,5,999\n")
    refused(path, 2, None, "has 4 fields but the header has 3 (extra: ['999'])")


def test_a_short_row_names_the_missing_field(tmp_path):
    path = write(tmp_path, f"{HEADER}A,10,5\nB,10\n")
    refused(path, 3, "quantity", "is missing")


@pytest.mark.parametrize("header", ["bidder,price,quantity,price", "bidder,bidder,price,quantity"])
def test_a_column_named_twice_is_refused(tmp_path, header):
    path = write(tmp_path, f"{header}\nA,B,10,5\n")
    twice = header.split(",")[1] if header.startswith("bidder,bidder") else "price"
    refused(path, 1, twice, "column appears twice")


def test_an_unknown_column_is_refused(tmp_path):
    path = write(tmp_path, "bidder,price,quantity,Time\nA,10,5,1\n")
    refused(path, 1, "Time", "unknown column")
    path = write(tmp_path, "bidder,price,quantity,\nA,10,5,\n")
    refused(path, 1, "", "a comma at the end of the header?")


@pytest.mark.parametrize(("content", "line", "message"), [
    ('A,"10"0,5\n', 2, "',' expected after '\"'"),
    ('A,10,5\n"B,1,1\n', 3, "unexpected end of data"),
])
def test_bad_quoting_is_refused(tmp_path, content, line, message):
    refused(write(tmp_path, HEADER + content), line, None, f"is not valid CSV ({message})")


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path):
    path = write(tmp_path, f'{HEADER}\n"A\nB",10,5\n\nC,9,x\n')
    refused(path, 6, "quantity", "'x' is not a whole number")
    table = read_csv_table(write(tmp_path, f'{HEADER}\n"A\nB",10,5\n'))
    assert table.rows == [(3, {"bidder": "A\nB", "price": "10", "quantity": "5"})]


def test_empty_files(tmp_path):
    refused(write(tmp_path, ""), 1, None, "has no header")
    refused(write(tmp_path, HEADER), None, None, "has no bids")


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--supply", "99999999999999999999", "--supply must be less than 2**63"),
    ("--lot-size", "99999999999999999999", "--lot-size must be less than 2**63"),
    ("--lot-size", "0", "--lot-size must be >= 1 (got 0)"),
    ("--seed", "-1", "--seed must be >= 0 (got -1)"),
    ("--reserve-price", "nan", "--reserve-price must be finite"),
    ("--bidder-limit", "2", "--bidder-limit must be in (0, 1]"),
    ("--format", "bogus", "--format must be one of"),
])
def test_bad_options_are_named_on_one_line(tmp_path, capsys, option, value, message):
    path = write(tmp_path, f"{HEADER}A,10,5\n")
    args = ["auction", str(path), "--supply", "10", option, value]
    assert message in one_line_error(capsys, *args)


def test_bad_options_fail_before_the_file_is_read(tmp_path, capsys):
    missing = str(tmp_path / "missing.csv")
    assert "--seed" in one_line_error(capsys, "auction", missing, "--supply", "1", "--seed", "-2")


def test_scenario_seed_is_named(tmp_path, capsys):
    path = write(tmp_path, "name = 'x'\n", "s.toml")
    assert "--seed must be >= 0" in one_line_error(capsys, "scenario", str(path), "--seed", "-1")


@pytest.mark.parametrize(("target", "reason"), [
    ("no-such-folder/x.png", "no folder"), (".", "it is a folder"),
    ("x.nosuchformat", "is not one of the formats"),
])
def test_an_unwritable_plot_is_refused_before_the_work(tmp_path, capsys, monkeypatch, target,
                                                       reason):
    path = write(tmp_path, f"{HEADER}A,10,5\n")
    plot = str(tmp_path / target)
    monkeypatch.setattr("allocation.cli.read_bids_csv", pytest.fail)
    err = one_line_error(capsys, "auction", str(path), "--supply", "10", "--plot", plot)
    assert f"--plot {plot}: cannot be written" in err and reason in err


def test_a_plot_that_fails_to_save_is_reported_cleanly(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, f"{HEADER}A,10,5\n")

    def fail(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", fail)
    plot = str(tmp_path / "x.png")
    err = one_line_error(capsys, "auction", str(path), "--supply", "10", "--plot", plot)
    assert f"--plot {plot}: cannot be written (Permission denied)" in err


@pytest.mark.parametrize(("content", "where"), [
    (b"bidder,price,quantity\nA,10,1e30\n", "line 2, field 'quantity'"),
    (b"bidder,price,quantity\nA,10,5\n\xff,1,1\n", "line 3, field 'bidder'"),
    (b"bidder,price,quantity\nA,10,5,999\n", "line 2: has 4 fields"),
    (b"bidder,price,quantity,price\nA,10,5,9\n", "line 1, field 'price'"),
])
def test_file_errors_reach_the_command_line_with_their_place(tmp_path, capsys, content, where):
    path = write(tmp_path, content)
    assert f"{path}, {where}" in one_line_error(capsys, "auction", str(path), "--supply", "10")


def test_the_command_reads_a_byte_order_mark_and_exact_quantities(tmp_path, capsys):
    path = write(tmp_path, b"\xef\xbb\xbf" + f"{HEADER}A,10,9007199254740993\n".encode())
    status = main(["auction", str(path), "--supply", "9007199254740993", "--json"])
    out = capsys.readouterr().out
    assert status == 0 and '"quantity": 9007199254740993' in out


def test_a_scenario_file_that_is_not_utf8_is_located(tmp_path, capsys):
    path = write(tmp_path, b"name = 'x'\n\xff = 1\n", "s.toml")
    assert f"{path}, line 2: byte 0xff" in one_line_error(capsys, "scenario", str(path))
