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

from allocation.files import read_bids_csv
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


def _auction(args: argparse.Namespace) -> str:
    bids = read_bids_csv(args.bids)
    result = get_format(args.format)(
        bids, args.supply, reserve_price=args.reserve_price, price_rule=args.price_rule,
        tie_break=args.tie_break, lot_size=args.lot_size, bidder_limit=args.bidder_limit,
        on_undersubscribed=args.on_undersubscribed, rng=args.seed,
    )
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


def _save_plot(result: AuctionResult, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from auctions.plotting import plot_auction

    ax = plot_auction(result)
    ax.figure.savefig(path, dpi=120, bbox_inches="tight")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="permits", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="clear the built-in worked auction")
    demo.add_argument("--json", action="store_true", help="machine-readable output")
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

    Returns 0 on success, 2 on a bad file or argument (with a message on
    standard error naming the file, line and field, or the argument).
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            sys.stdout.write(_demo(args.json))
        elif args.command == "auction":
            sys.stdout.write(_auction(args))
    except (ValueError, TypeError) as err:
        sys.stderr.write(f"permits: error: {err}\n")
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
