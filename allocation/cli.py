"""The ``permits`` command line.

``permits demo`` clears the built-in worked auction under each sealed-bid
format and prints the outcome as tables.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from allocation.files import read_bids_csv
from allocation.simulation import Scenario, SimulationResult, load_scenario, simulate
from auctions import FORMATS, AuctionResult, Bids, Offers, get_format

__all__ = ["demo_auction", "format_table", "main"]

#: The built-in worked auction: a regional market's quarterly sale of
#: 800 permits at a reserve price of 20, in lots of 10, each bidder limited
#: to 40% of the supply. Bids are (installation, price per permit, permits).
DEMO_BIDS: tuple[tuple[str, float, int], ...] = (
    ("power-1", 31.0, 300),
    ("power-1", 27.5, 200),
    ("power-2", 29.0, 250),
    ("cement-1", 27.5, 150),
    ("cement-1", 24.0, 100),
    ("steel-1", 26.0, 200),
    ("steel-new", 27.5, 100),
    ("steel-new", 19.0, 100),
)
DEMO_SUPPLY = 800
DEMO_RESERVE = 20.0
DEMO_LOT = 10
DEMO_LIMIT = 0.4


def demo_auction(format_name: str = "uniform_price", *, seed: int = 2024) -> AuctionResult:
    """Clear the built-in worked auction under ``format_name``.

    Examples
    --------
    >>> r = demo_auction()
    >>> r.clearing_price, r.sold, r.status
    (27.5, 800, 'cleared')
    """
    bids = Bids.from_records(DEMO_BIDS)
    return FORMATS[format_name](
        bids,
        Offers.fixed(DEMO_SUPPLY, price=DEMO_RESERVE),
        reserve_price=DEMO_RESERVE,
        lot_size=DEMO_LOT,
        bidder_limit=DEMO_LIMIT,
        tie_break="pro_rata",
        rng=seed,
    )


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as a plain-text table with right-aligned numbers.

    Examples
    --------
    >>> print(format_table(["bidder", "won"], [["a", 10], ["bb", 5]]))
    bidder  won
    ------  ---
    a        10
    bb        5
    """

    def cell(x: object) -> str:
        if isinstance(x, float):
            if math.isnan(x):
                return "-"
            return f"{x:,.2f}" if abs(x) >= 10 or x == 0 else f"{x:.4f}"
        if isinstance(x, int):
            return f"{x:,}"
        return str(x)

    text = [[cell(x) for x in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in text)]) for i, h in enumerate(header)]
    numeric = [all(isinstance(row[i], int | float) for row in rows) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, text)])


#: The rules compared by ``permits demo`` on the built-in scenario, with their options.
DEMO_RULES: dict[str, dict[str, Any]] = {
    "grandfathering": {},
    "benchmarking": {"benchmarks": {"electricity": 0.8, "clinker": 0.766, "steel": 1.3},
                     "activity": "current"},
    "historical_intensity": {"reduction_factor": 0.98, "new_entrant": "benchmark",
                             "benchmarks": {"electricity": 0.8, "clinker": 0.766,
                                            "steel": 1.3}},
    "equal_quantity": {"coefficient": 0.9},
}


def rule_summary(result: SimulationResult) -> dict[str, float | int]:
    """Per-group measures of one simulated rule: permits and cost per unit of output.

    Sums over the years each installation was open; the vintage gap is the
    incumbents' free permits per unit of output less the new entrants'.
    """
    firms = result.scenario.firms
    new = firms.is_new_entrant
    active = np.array([f.active for f in result.firm_years])
    output = (active * firms.current_output).sum(axis=0)
    free = np.sum([f.free for f in result.firm_years], axis=0)
    cost = np.sum([f.cost for f in result.firm_years], axis=0)

    def per_output(values: NDArray[Any], group: NDArray[np.bool_]) -> float:
        total = float(output[group].sum())
        return float(values[group].sum()) / total if total else math.nan

    summary: dict[str, float | int] = {
        "free permits": int(free.sum()),
        "incumbents: free per output": per_output(free, ~new),
        "new entrants: free per output": per_output(free, new),
        "incumbents: cost per output": per_output(cost, ~new),
        "new entrants: cost per output": per_output(cost, new),
        "auction revenue": math.fsum(y.auction_revenue for y in result.years),
        "mean market price": float(np.mean([y.market_price for y in result.years])),
    }
    summary["vintage gap (free per output)"] = (
        summary["incumbents: free per output"] - summary["new entrants: free per output"]
    )
    return summary


def demo_comparison(*, years: int = 8, seed: int = 2024) -> dict[str, dict[str, float | int]]:
    """Run the built-in scenario under each of :data:`DEMO_RULES`.

    Examples
    --------
    >>> table = demo_comparison(years=3)
    >>> list(table)
    ['grandfathering', 'benchmarking', 'historical_intensity', 'equal_quantity']
    >>> table["grandfathering"]["new entrants: free per output"]
    0.0
    """
    base = Scenario.example(years=years)
    return {
        rule: rule_summary(simulate(replace(base, rule=rule, rule_options=options), rng=seed))
        for rule, options in DEMO_RULES.items()
    }


def _comparison_text(table: dict[str, dict[str, float | int]], years: int) -> str:
    measures = list(next(iter(table.values())))
    rows = [[m, *(table[rule][m] for rule in table)] for m in measures]
    scenario = Scenario.example(years=years)
    return (
        f"{scenario.name}: {len(scenario.firms)} installations, {years} years from "
        f"{scenario.start_year}, cap {scenario.cap:,} falling 2.2% a year, 30% auctioned\n\n"
        + format_table(["measure", *table], rows)
    )


def _demo(as_json: bool) -> str:
    years = 8
    comparison = demo_comparison(years=years)
    results = {name: demo_auction(name) for name in FORMATS}
    if as_json:
        return json.dumps(
            {
                "allocation_rules": comparison,
                "auction": {
                    name: {
                        "clearing_price": r.clearing_price,
                        "sold": r.sold,
                        "revenue": r.revenue,
                        "status": r.status,
                        "by_bidder": {k: v._asdict() for k, v in r.by_bidder().items()},
                    }
                    for name, r in results.items()
                },
            },
            indent=2,
        )
    return _comparison_text(comparison, years) + "\n\n" + _auction_demo_text(results)


def _auction_demo_text(results: dict[str, AuctionResult]) -> str:
    bids = Bids.from_records(DEMO_BIDS)
    summary = format_table(
        ["format", "clearing price", "sold", "revenue", "status"],
        [[n, r.clearing_price, r.sold, r.revenue, r.status] for n, r in results.items()],
    )
    bidders = format_table(
        ["bidder", "won", *(f"pays ({n})" for n in results)],
        [
            [label, results["uniform_price"].by_bidder().get(label, (0, 0.0))[0]]
            + [r.by_bidder().get(label, (0, 0.0))[1] for r in results.values()]
            for label in bids.bidders.tolist()
        ],
    )
    return (
        f"Sealed-bid sale of {DEMO_SUPPLY:,} permits, reserve price {DEMO_RESERVE:.2f}, "
        f"lots of {DEMO_LOT}, bidder limit {DEMO_LIMIT:.0%} of supply\n\n"
        f"{summary}\n\n{bidders}\n"
    )


def _result_json(r: AuctionResult) -> dict[str, object]:
    return {
        "format": r.format,
        "status": r.status,
        "clearing_price": None if math.isnan(r.clearing_price) else r.clearing_price,
        "supply": r.supply,
        "sold": r.sold,
        "unsold": r.unsold,
        "revenue": r.revenue,
        "bids": [
            {"bidder": str(b), "price": p, "quantity": q, "awarded": a, "payment": pay}
            for b, p, q, a, pay in zip(r.bids.bidder.tolist(), r.bids.price.tolist(),
                                       r.bids.quantity.tolist(), r.awarded.tolist(),
                                       r.payments.tolist(), strict=True)
        ],
    }


#: The ``permits auction`` options by the name of the argument they set.
_AUCTION_OPTIONS: dict[str, str] = {
    name: "--" + name.replace("_", "-")
    for name in ("format", "supply", "reserve_price", "price_rule", "tie_break", "lot_size",
                 "bidder_limit", "on_undersubscribed")
}


def _option_message(message: str) -> str:
    """``message`` with a leading argument name replaced by its command-line option.

    Examples
    --------
    >>> _option_message("reserve_price must be finite (got inf)")
    '--reserve-price must be finite (got inf)'
    >>> _option_message("quantity must be whole multiples of lot_size=3")
    'quantity must be whole multiples of lot_size=3'
    """
    name, space, rest = message.partition(" ")
    return f"{_AUCTION_OPTIONS[name]} {rest}" if space and name in _AUCTION_OPTIONS else message


def _auction(args: argparse.Namespace) -> str:
    bids = read_bids_csv(args.bids)
    try:
        result = get_format(args.format)(
            bids, args.supply, reserve_price=args.reserve_price, price_rule=args.price_rule,
            tie_break=args.tie_break, lot_size=args.lot_size, bidder_limit=args.bidder_limit,
            on_undersubscribed=args.on_undersubscribed, rng=args.seed,
        )
    except (ValueError, TypeError) as err:
        message = _option_message(str(err))
        if message == str(err):
            raise
        raise (TypeError if isinstance(err, TypeError) else ValueError)(message) from None
    if args.plot:
        _save_plot(result, args.plot)
    if args.json:
        return json.dumps(_result_json(result), indent=2) + "\n"
    summary = format_table(
        ["format", "status", "clearing price", "sold", "unsold", "revenue"],
        [[result.format, result.status, result.clearing_price, result.sold, result.unsold,
          result.revenue]],
    )
    table = format_table(
        ["bidder", "price", "quantity", "awarded", "payment"],
        [list(row) for row in zip(result.bids.bidder.tolist(), result.bids.price.tolist(),
                                  result.bids.quantity.tolist(), result.awarded.tolist(),
                                  result.payments.tolist(), strict=True)],
    )
    return f"{summary}\n\n{table}\n"


SCENARIO_COLUMNS: tuple[str, ...] = (
    "year", "cap", "free", "free_new_entrants", "offered", "sold", "auction_price",
    "market_price", "emissions", "shortfall", "banked", "reserve_permits", "reserve_cash",
)


def _scenario(args: argparse.Namespace) -> str:
    result = simulate(load_scenario(args.file), rng=args.seed)
    rows = result.table(as_frame=False)
    if args.plot:
        _save_figure(lambda: _plot_scenario(result), args.plot)
    if args.json:
        return json.dumps({"scenario": result.scenario.name, "years": rows,
                           "conserves_permits": result.conserves_permits()}, indent=2) + "\n"
    table = format_table(list(SCENARIO_COLUMNS),
                         [[str(row[c]) if c == "year" else row[c] for c in SCENARIO_COLUMNS]
                          for row in rows])
    return f"{result.scenario.name}\n\n{table}\n"


def _plot_scenario(result: SimulationResult) -> Any:
    from allocation.simulation import plot_scenario

    return plot_scenario(result)


def _save_figure(draw: Any, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = draw()
    try:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise ValueError(f"--plot {path}: cannot be written ({reason})") from None


def _save_plot(result: AuctionResult, path: str) -> None:
    def draw() -> Any:
        from auctions.plotting import plot_auction

        return plot_auction(result)

    _save_figure(draw, path)


#: The whole-number options checked before any work: their least value and
#: their bound (quantities are stored as int64; a seed may be any size).
_WHOLE_OPTIONS: dict[str, tuple[int, int | None]] = {
    "supply": (0, 2**63), "lot_size": (1, 2**63), "seed": (0, None),
}


def _check_options(args: argparse.Namespace) -> None:
    """Refuse an out-of-range whole-number option or an unwritable ``--plot`` file.

    Run before any file is read, so that a bad option fails early.

    Raises
    ------
    ValueError
        Naming the option and its value.

    Examples
    --------
    >>> _check_options(argparse.Namespace(supply=10**20, seed=None))
    Traceback (most recent call last):
    ...
    ValueError: --supply must be less than 2**63 (got 100000000000000000000)
    >>> _check_options(argparse.Namespace(seed=-1))
    Traceback (most recent call last):
    ...
    ValueError: --seed must be >= 0 (got -1)
    """
    for name, (least, bound) in _WHOLE_OPTIONS.items():
        value = getattr(args, name, None)
        option = "--" + name.replace("_", "-")
        if value is not None and value < least:
            raise ValueError(f"{option} must be >= {least} (got {value})")
        if value is not None and bound is not None and value >= bound:
            raise ValueError(f"{option} must be less than 2**63 (got {value})")
    if getattr(args, "plot", None):
        _check_plot_path(args.plot)


def _check_plot_path(path: str) -> None:
    """Refuse a ``--plot`` file that cannot be written, before the work is done.

    The folder must exist, the path must not be a folder, matplotlib must be
    installed and the file's extension must be a format it writes.

    Examples
    --------
    >>> _check_plot_path("/nonexistent/x.png")
    Traceback (most recent call last):
    ...
    ValueError: --plot /nonexistent/x.png: cannot be written (no folder '/nonexistent')
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise ValueError(f"--plot {path}: cannot be written (no folder {str(target.parent)!r})")
    if target.is_dir():
        raise ValueError(f"--plot {path}: cannot be written (it is a folder)")
    if not os.access(target.parent, os.W_OK):
        raise ValueError(f"--plot {path}: cannot be written (the folder is read-only)")
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise ValueError(f"--plot {path}: needs matplotlib (pip install 'permits[plot]')") \
            from None
    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = target.suffix[1:].lower()
    if suffix and suffix not in formats:
        raise ValueError(f"--plot {path}: cannot be written ({target.suffix!r} is not one of "
                         f"the formats {', '.join(sorted(formats))})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="permits", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="clear the built-in worked auction")
    demo.add_argument("--json", action="store_true", help="machine-readable output")
    scenario = sub.add_parser("scenario", help="run a scenario written as TOML")
    scenario.add_argument("file", help="the scenario's TOML file (its firms CSV beside it)")
    scenario.add_argument("--seed", type=int, default=None, help="seed of random tie-breaking")
    scenario.add_argument("--plot", metavar="FILE.png", help="save prices and reserve by year")
    scenario.add_argument("--json", action="store_true", help="machine-readable output")
    auction = sub.add_parser("auction", help="clear an auction of bids read from a CSV file")
    auction.add_argument("bids", help="CSV file with columns bidder, price, quantity [, time]")
    auction.add_argument("--supply", type=int, required=True, help="permits for sale")
    auction.add_argument("--format", default="uniform_price",
                         help="uniform_price (uniform), pay_as_bid, vickrey")
    auction.add_argument("--reserve-price", type=float, default=0.0)
    auction.add_argument("--price-rule", default="last_accepted",
                         choices=["last_accepted", "first_rejected"])
    auction.add_argument("--tie-break", default="pro_rata", choices=["pro_rata", "random", "time"])
    auction.add_argument("--lot-size", type=int, default=1)
    auction.add_argument("--bidder-limit", type=float, default=None,
                         help="largest share of the supply one bidder may win")
    auction.add_argument("--on-undersubscribed", default="sell", choices=["sell", "cancel"])
    auction.add_argument("--seed", type=int, default=None, help="seed of random tie-breaking")
    auction.add_argument("--plot", metavar="FILE.png", help="save the supply and demand curves")
    auction.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``permits`` console script.

    Returns 0 on success, 2 on a bad file or argument (with a one-line
    message on standard error naming the file, line and field, or the
    option). Options are checked, and a ``--plot`` file's folder, before any
    work is done.
    """
    args = _parser().parse_args(argv)
    try:
        _check_options(args)
        if args.command == "demo":
            sys.stdout.write(_demo(args.json))
        elif args.command == "auction":
            sys.stdout.write(_auction(args))
        elif args.command == "scenario":
            sys.stdout.write(_scenario(args))
    except (ValueError, TypeError) as err:
        sys.stderr.write(f"permits: error: {err}\n")
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
