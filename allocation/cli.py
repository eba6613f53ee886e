"""The ``permits`` command line.

``permits demo`` clears the built-in worked auction under each sealed-bid
format and prints the outcome as tables.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from auctions import FORMATS, AuctionResult, Bids, Offers

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
            return "-" if math.isnan(x) else f"{x:,.2f}"
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


def _demo(as_json: bool) -> str:
    results = {name: demo_auction(name) for name in FORMATS}
    if as_json:
        return json.dumps(
            {
                name: {
                    "clearing_price": r.clearing_price,
                    "sold": r.sold,
                    "revenue": r.revenue,
                    "status": r.status,
                    "by_bidder": {k: v._asdict() for k, v in r.by_bidder().items()},
                }
                for name, r in results.items()
            },
            indent=2,
        )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``permits`` console script."""
    parser = argparse.ArgumentParser(prog="permits", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="clear the built-in worked auction")
    demo.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    if args.command == "demo":
        sys.stdout.write(_demo(args.json))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
