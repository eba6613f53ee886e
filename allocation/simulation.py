"""Multi-period scenarios: caps, allocation, auctions, trading and compliance, year by year.

:func:`simulate` runs a :class:`Scenario` one year at a time:

1. the cap of the year is issued into the scheme's account (a
   :class:`~allocation.reserve.Reserve`, whose ledger records every permit);
2. the allocation rule hands out the free share to the installations open
   that year (entries join in their entry year; a closed installation's
   permits are recovered into the reserve);
3. with a Market Stability Reserve (``msr``), the surplus published that
   year (the TNAC: permits the installations banked) decides the permits
   withheld from the year's auction into the stability reserve, or released
   from it to the auction, and those invalidated
   (:class:`~allocation.stability.MSRRules`);
4. the auctioned share (and, if asked, permits left unsold earlier) is sold
   by a sealed-bid auction in which each installation bids its demand: the
   permits it would still need at each price after abating as far as its
   marginal abatement cost curve makes worthwhile, at whole-cent prices from
   the reserve price up to the penalty rounded down to the cent (never above
   the penalty); permits left unsold stay in the reserve;
5. installations trade to the competitive equilibrium
   (:func:`allocation.market.equilibrium`; the penalty acts as a price
   ceiling), the trades rounded to whole permits by largest remainder; if
   the scenario has a price band and the price leaves it, the reserve first
   sells at the band's ceiling or buys back at its floor (within its permits
   and cash) and the market clears again;
6. each installation surrenders permits for its emissions
   (:func:`allocation.compliance.surrender`): a tonne short pays the
   penalty, unused permits are banked (or expire without banking).

Firms are myopic: each year's market clears on that year's holdings, banked
permits included. Every permit is accounted for: issued = held by
installations + held in the reserve + retired (surrendered, expired or
cancelled), every year (:meth:`SimulationResult.conserves_permits`).

A scenario is a file a user can edit: :meth:`Scenario.save` writes it as TOML
with the installations as CSV beside it, :func:`load_scenario` reads it.
"""

from __future__ import annotations

import csv
import inspect
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

from allocation.abatement import LinearMAC, MarginalAbatementCost
from allocation.compliance import PenaltyRule, Surrender, surrender
from allocation.files import InputFileError, read_csv_table, read_text
from allocation.firms import Firms
from allocation.free_allocation import AllocationOptions
from allocation.market import MarketResult, equilibrium
from allocation.price_band import PriceBand
from allocation.reserve import Reserve, as_cents
from allocation.rounding import largest_remainder
from allocation.rules import AllocationRule, get_rule
from allocation.stability import MSRRules
from auctions import Bids, Offers
from auctions._validate import check_choice, check_nonnegative_int, check_price, check_share
from auctions.clearing import PriceRule

__all__ = [
    "FirmYear",
    "Scenario",
    "SimulationResult",
    "YearResult",
    "load_scenario",
    "plot_scenario",
    "simulate",
]

PRICE_RULES: Final = ("last_accepted", "first_rejected")


@dataclass(frozen=True, kw_only=True, eq=False)
class Scenario:
    """Everything :func:`simulate` needs, as data a user can write down.

    Parameters
    ----------
    firms : Firms
        The installations, with entry and closure years.
    bau : array_like of float
        Each installation's business-as-usual emissions per year, tonnes.
    mac : MarginalAbatementCost
        Their marginal abatement cost curves (one firm per installation).
    start_year, years : int
        The first year and the number of years.
    cap : int or sequence of int
        The first year's cap, or the cap of every year (non-increasing).
    reduction : float, default 0
        With one cap: the linear reduction factor, the share of the first
        year's cap removed every year (the EU ETS's 2.2 % from 2021), in
        whole permits rounded half up (:meth:`cap_path`).
    rule : str, default "grandfathering"
        A registered allocation rule (:data:`allocation.RULES`).
    rule_options : mapping
        Keyword options of the rule (``benchmarks``, ``activity``...),
        checked when the scenario is built: names against the rule's
        signature, values by a trial run of the rule on the installations
        open in some simulated year (with the first cap and year). The
        simulation supplies ``firms``, ``cap``, ``year`` and
        ``auction_share`` and runs the auction itself, so these and the
        rule's own auction options (``bids``, ``auction_options``,
        ``rng``) are refused. A value per installation (a sequence) is
        accepted only when every installation is open in every year, since
        the rule is handed only the installations open each year.
    auction_share : float in [0, 1], default 0
        The share of each cap sold by auction.
    reserve_price : float, default 0
        The auction's reserve price, a whole number of cents (as every
        price of the auction).
    price_rule : {"last_accepted", "first_rejected"}
        The auction's price rule.
    reoffer_unsold : bool, default False
        Offer permits left unsold in earlier auctions again.
    band_reference, band_width, band_tranche : float, float, int, optional
        A price band run from the reserve (Shanxi: 20 % around a benchmark
        price): when the market price would rise above ``reference * (1 +
        width)`` the reserve sells up to ``band_tranche`` permits at that
        ceiling; when it would fall below ``reference * (1 - width)`` it buys
        up to ``band_tranche`` back at that floor, as far as its permits and
        cash allow; then the market clears again.
    msr : MSRRules, optional
        A Market Stability Reserve run on the scenario's own surplus: the
        rules of one year of the EU's (:func:`allocation.stability.msr_rules`),
        scaled to the market's size with :meth:`MSRRules.scaled`, or built
        by hand. Its intake is taken from the year's auction (as far as the
        auction has permits) and its release added to it.
    penalty : float, default 100
        Money per tonne not covered at the deadline (Directive 2003/87/EC
        Article 16(3): EUR 100). It need not be whole cents: auction bids,
        which are, go up to the penalty rounded down to the cent.
    banking : bool, default True
        Whether unused permits carry over to the next year.
    bid_levels : int, default 25
        Price levels at which each installation states its demand.
    name : str

    Raises
    ------
    ValueError, TypeError
        Naming the argument and the value; for ``rule_options``, the option
        (``rule_options['activity']``).

    Examples
    --------
    A misspelt option of the rule, or a bad value, is refused when the
    scenario is built, not when it is simulated:

    >>> from dataclasses import replace
    >>> s = Scenario.example(years=2)
    >>> try:
    ...     replace(s, rule_options={**s.rule_options, "statistc": "max"})
    ... except TypeError as err:
    ...     print(err)
    rule_options['statistc'] is not an option of rule 'benchmarking' (expected one of
    activity, benchmarks, correction_factor, exposure_factor, leftover, reserve_share,
    scaling, sector_factor, statistic, unit_factor)
    >>> try:
    ...     replace(s, rule_options={**s.rule_options, "activity": "currnet"})
    ... except ValueError as err:
    ...     print(err)
    rule_options['activity'] is refused by rule 'benchmarking': activity must be one of
    'historical', 'current' (got 'currnet')
    """

    firms: Firms
    bau: NDArray[np.float64]
    mac: MarginalAbatementCost
    start_year: int
    years: int
    cap: int | tuple[int, ...]
    reduction: float = 0.0
    rule: str = "grandfathering"
    rule_options: Mapping[str, Any] = field(default_factory=dict)
    auction_share: float = 0.0
    reserve_price: float = 0.0
    price_rule: PriceRule = "last_accepted"
    reoffer_unsold: bool = False
    band_reference: float | None = None
    band_width: float = 0.2
    band_tranche: int = 0
    msr: MSRRules | None = None
    penalty: float = 100.0
    banking: bool = True
    bid_levels: int = 25
    name: str = "scenario"

    def __post_init__(self) -> None:
        if not isinstance(self.firms, Firms):
            raise TypeError(f"firms must be a Firms table (got {type(self.firms).__name__})")
        n = len(self.firms)
        bau = np.array(self.bau, dtype=np.float64)
        if bau.shape != (n,):
            raise ValueError(f"bau must have one value per installation ({n}); got {bau.shape}")
        if not np.isfinite(bau).all() or (bau < 0).any():
            i = int(np.argmax(~np.isfinite(bau) | (bau < 0)))
            raise ValueError(f"bau must be finite and >= 0 (got {bau[i].item()!r} at index {i})")
        bau.flags.writeable = False
        object.__setattr__(self, "bau", bau)
        if not isinstance(self.mac, MarginalAbatementCost) or self.mac.n_firms != n:
            raise ValueError(
                f"mac must be a cost curve for the {n} installations (got {self.mac!r})"
            )
        self._check_whole_numbers()
        object.__setattr__(self, "cap", self._cap_path_argument())
        check_share_or_zero("reduction", self.reduction)
        get_rule(self.rule)
        check_share_or_zero("auction_share", self.auction_share)
        check_price("reserve_price", self.reserve_price)
        as_cents("reserve_price", self.reserve_price)
        check_choice("price_rule", self.price_rule, PRICE_RULES)
        check_price("penalty", self.penalty)
        if self.band_reference is not None:
            PriceBand(reference=self.band_reference, lower=self.band_width,
                      upper=self.band_width)
        if self.msr is not None and not isinstance(self.msr, MSRRules):
            raise TypeError(f"msr must be MSRRules or None (got {type(self.msr).__name__})")
        for name in ("reoffer_unsold", "banking"):
            if type(getattr(self, name)) is not bool:
                raise TypeError(f"{name} must be True or False (got {getattr(self, name)!r})")
        if not isinstance(self.rule_options, Mapping):
            raise TypeError(f"rule_options must be a mapping of option names to values "
                            f"(got {self.rule_options!r})")
        object.__setattr__(self, "rule_options", dict(self.rule_options))
        _check_rule_options(self)

    def _check_whole_numbers(self) -> None:
        """Check the whole-number fields and store them as ints (2026.0 becomes 2026)."""
        for name, minimum in (("start_year", 0), ("years", 1), ("band_tranche", 0),
                              ("bid_levels", 2)):
            value = check_nonnegative_int(name, getattr(self, name), minimum=minimum)
            object.__setattr__(self, name, value)

    def _cap_path_argument(self) -> int | tuple[int, ...]:
        """The cap as an int, or as a tuple of one non-increasing int per year."""
        cap: object = self.cap
        if isinstance(cap, str | bytes) or not isinstance(cap, Iterable):
            return check_nonnegative_int("cap", cap)
        path = tuple(check_nonnegative_int(f"cap[{i}]", c) for i, c in enumerate(cap))
        if len(path) != self.years:
            raise ValueError(f"cap must give one cap per year ({self.years}); got {len(path)}")
        for t in range(1, len(path)):
            if path[t] > path[t - 1]:
                raise ValueError(
                    f"cap must not rise from one year to the next (got {path[t - 1]} in "
                    f"{self.start_year + t - 1} then {path[t]} in {self.start_year + t})"
                )
        return path

    def cap_path(self) -> list[int]:
        """The cap of each year.

        With one cap, the cap falls every year by the same whole number of
        permits: ``reduction`` times the first cap, in exact arithmetic (the
        share read as the decimal written, 0.009 as 9/1000), rounded half up
        (13.5 is 14), and never below zero.

        Returns
        -------
        list of int
            One cap per year, from ``start_year``.

        Examples
        --------
        A first cap of 100,000 with a linear reduction factor of 2.2 %: 2,200 a year.

        >>> Scenario.example(years=3).cap_path()
        [100000, 97800, 95600]

        0.9 % of 1,500 is 13.5 permits, rounded up to 14:

        >>> from dataclasses import replace
        >>> replace(Scenario.example(), cap=1500, reduction=0.009, years=3).cap_path()
        [1500, 1486, 1472]
        """
        if isinstance(self.cap, tuple):
            return list(self.cap)
        step = _linear_step(self.cap, self.reduction)
        return [max(self.cap - step * t, 0) for t in range(self.years)]

    @property
    def years_simulated(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.years))

    @classmethod
    def example(cls, *, years: int = 8) -> Scenario:
        """The built-in default: a regional market of power, cement and steel installations.

        Seven incumbents with 2023-2024 history, one cement kiln closing in
        2028, and two new entrants (a gas plant in 2027, an electric-arc
        steel mill in 2028), as in the seeds' regional markets. Benchmarking
        on current output, 30 % auctioned at a reserve of 20.
        """
        nan = math.nan
        ids = ["coal-1", "coal-2", "gas-1", "cement-1", "cement-2", "steel-1", "steel-2",
               "gas-new", "steel-new"]
        product = ["electricity"] * 3 + ["clinker"] * 2 + ["steel"] * 2 + ["electricity",
                                                                          "steel"]
        history = [26000.0, 19000.0, 8000.0, 14000.0, 11000.0, 16000.0, 9000.0, nan, nan]
        output = [27000.0, 20000.0, 21000.0, 17500.0, 14000.0, 8500.0, 5500.0, nan, nan]
        firms = Firms(
            ids, product=product,
            sector=["power"] * 3 + ["cement"] * 2 + ["steel"] * 2 + ["power", "steel"],
            entry_year=[1985, 1992, 2008, 1998, 2004, 1990, 2001, 2027, 2028],
            base_years=[2023, 2024],
            emissions=[[h, h] for h in history], output=[[o, o] for o in output],
            current_output=[27000.0, 20000.0, 21000.0, 17500.0, 14000.0, 8500.0, 5500.0,
                            18000.0, 7000.0],
            closure_year=[nan, nan, nan, 2028, nan, nan, nan, nan, nan],
            current_emissions=[26000.0, 19000.0, 8000.0, 14000.0, 11000.0, 16000.0, 9000.0,
                               6500.0, 3000.0],
        )
        bau = firms.current_emissions
        slopes = [0.004, 0.006, 0.02, 0.008, 0.01, 0.005, 0.009, 0.03, 0.02]
        assert bau is not None
        return cls(
            name="regional market of power, cement and steel", firms=firms,
            bau=bau, mac=LinearMAC(slopes), start_year=2026, years=years,
            cap=100_000, reduction=0.022, rule="benchmarking",
            rule_options={"benchmarks": {"electricity": 0.8, "clinker": 0.766, "steel": 1.3},
                          "activity": "current"},
            auction_share=0.3, reserve_price=20.0, reoffer_unsold=True,
        )

    # ------------------------------------------------------------ files

    def save(self, path: str | Path) -> Path:
        """Write the scenario as TOML and its installations as ``<stem>_firms.csv`` beside it.

        Only linear cost curves (:class:`~allocation.abatement.LinearMAC`) can
        be written; their slopes go in the CSV's ``mac_slope`` column.
        """
        import tomli_w

        path = Path(path)
        if not isinstance(self.mac, LinearMAC):
            raise TypeError(f"only LinearMAC curves can be saved (got {type(self.mac).__name__})")
        csv_path = path.with_name(f"{path.stem}_firms.csv")
        _write_firms(csv_path, self)
        document = {
            "name": self.name,
            "firms": csv_path.name,
            "start_year": self.start_year,
            "years": self.years,
            "cap": ({"path": list(self.cap)} if isinstance(self.cap, tuple)
                    else {"initial": self.cap, "reduction": self.reduction}),
            "allocation": {"rule": self.rule, "auction_share": self.auction_share,
                           "options": dict(self.rule_options)},
            "auction": {"reserve_price": self.reserve_price, "price_rule": self.price_rule,
                        "reoffer_unsold": self.reoffer_unsold, "bid_levels": self.bid_levels},
            "reserve": _reserve_table(self),
            "compliance": {"penalty": self.penalty, "banking": self.banking},
        }
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
        return path


def check_share_or_zero(name: str, value: object) -> float:
    """A share in [0, 1]."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return 0.0
    return float(check_share(name, value))


def _linear_step(cap: int, reduction: float) -> int:
    """``reduction`` of ``cap`` in whole permits: the exact share times the cap, halves up."""
    if reduction == 0:
        return 0
    exact = check_share("reduction", reduction) * cap
    return math.floor(exact + Fraction(1, 2))


# ---------------------------------------------------------------- rule options

#: Keyword arguments of a rule that a scenario supplies itself (or that only
#: serve the rule's own auction, which a scenario replaces by its own), and why.
_SUPPLIED_OPTIONS: Final = {
    "firms": "simulate passes the installations open each year",
    "cap": "simulate passes each year's cap",
    "year": "simulate passes each year",
    "auction_share": "set the scenario's auction_share instead",
    "bids": "the scenario's own auction sells the auctioned permits",
    "auction_options": "the scenario's own auction sells the auctioned permits",
    "rng": "the scenario's own auction sells the auctioned permits (pass rng= to simulate)",
}


def _check_rule_options(s: Scenario) -> None:
    """Refuse ``rule_options`` that running ``s`` would refuse, naming the option.

    Names are checked against the rule's signature; values by running the
    rule once, as :func:`simulate` does, on the installations open in some
    simulated year with the first cap and year (a pure function: nothing
    else happens).
    """
    rule, options = get_rule(s.rule), s.rule_options
    _check_option_names(s.rule, rule, options)
    open_rows, open_every_year = _open_installations(s)
    _check_per_installation_options(options, open_every_year)
    try:
        rule(s.firms.take(open_rows), s.cap_path()[0], auction_share=s.auction_share,
             year=s.start_year, **options)
    except (ValueError, TypeError) as err:
        raise _rule_error(err, s.rule, options) from err


def _check_option_names(name: str, rule: AllocationRule, options: Mapping[str, Any]) -> None:
    """Refuse an option that ``rule`` (registered as ``name``) does not take or that the
    scenario supplies, and a missing one that the rule requires."""
    accepted, required = _rule_option_names(rule)
    for option in options:
        if option in _SUPPLIED_OPTIONS:
            raise TypeError(
                f"rule_options[{option!r}] cannot be given: {_SUPPLIED_OPTIONS[option]}"
            )
        if option not in accepted:
            raise TypeError(f"rule_options[{option!r}] is not an option of rule {name!r} "
                            f"(expected one of {', '.join(sorted(accepted))})")
    missing = sorted(required - set(options))
    if missing:
        raise TypeError(f"rule_options must include {missing[0]!r}, which rule {name!r} "
                        f"requires (got {sorted(options)})")


def _rule_option_names(rule: AllocationRule) -> tuple[set[str], set[str]]:
    """The keyword options ``rule(firms, cap, **options)`` accepts and those it requires
    (the common options of :class:`~allocation.free_allocation.AllocationOptions` for
    ``**options``), less those a scenario supplies. A registered rule's first two
    parameters are the firms and the cap (:data:`allocation.rules.AllocationRule`)."""
    accepted, required = set(), set()
    for parameter in list(inspect.signature(rule).parameters.values())[2:]:
        if parameter.kind is parameter.VAR_KEYWORD:
            accepted |= set(AllocationOptions.__annotations__)
        elif parameter.kind is not parameter.VAR_POSITIONAL:
            accepted.add(parameter.name)
            if parameter.default is parameter.empty:
                required.add(parameter.name)
    return accepted - set(_SUPPLIED_OPTIONS), required - set(_SUPPLIED_OPTIONS)


def _open_installations(s: Scenario) -> tuple[NDArray[np.bool_], bool]:
    """The installations open in some simulated year, and whether every installation is
    open in every simulated year (:func:`simulate` passes the rule those open in the year:
    entered, ``entry_year <= year``, and not closed, ``closure_year > year``)."""
    firms, first, last = s.firms, s.start_year, s.start_year + s.years - 1
    opening = np.maximum(firms.entry_year, first)
    with np.errstate(invalid="ignore"):
        some_year = (opening <= last) & ~(firms.closure_year <= opening)
        every_year = bool((firms.entry_year <= first).all()
                          and not (firms.closure_year <= last).any())
    return np.asarray(some_year), every_year


def _check_per_installation_options(options: Mapping[str, Any], open_every_year: bool) -> None:
    """Refuse a value per installation (a sequence) when the installations open change
    from year to year: the rule would be handed fewer installations than values."""
    if open_every_year:
        return
    for name, value in options.items():
        if _is_per_installation(value):
            raise ValueError(
                f"rule_options[{name!r}] cannot give one value per installation: the "
                f"installations open change over the years (entries, closures) and simulate "
                f"passes the rule only those open each year; give one number or a mapping by "
                f"sector or product (got a sequence of {len(value)})"
            )


def _is_per_installation(value: object) -> bool:
    """Whether an option's value is a sequence (one value per installation)."""
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _rule_error(err: ValueError | TypeError, rule: str,
                options: Mapping[str, Any]) -> ValueError | TypeError:
    """The rule's error ``err``, naming the option it is about when its message starts
    with one (``activity must be...``, ``benchmarks['steel'] must be...``)."""
    argument = re.split(r"[ \[=]", str(err), maxsplit=1)[0]
    where = (f"rule_options[{argument!r}] is refused by rule {rule!r}" if argument in options
             else f"rule_options are refused by rule {rule!r} on the scenario's installations")
    kind = ValueError if isinstance(err, ValueError) else TypeError
    return kind(f"{where}: {err}")


# ---------------------------------------------------------------- files

_FIRM_COLUMNS: Final = ("id", "product", "sector", "region", "entry_year", "closure_year",
                        "current_output", "current_emissions", "bau", "mac_slope")


def _reserve_table(s: Scenario) -> dict[str, Any]:
    """The ``[reserve]`` table of a scenario file: the price band and the MSR."""
    table: dict[str, Any] = {}
    if s.band_reference is not None:
        table.update(band_reference=s.band_reference, band_width=s.band_width,
                     band_tranche=s.band_tranche)
    if s.msr is not None:
        m = s.msr
        table["msr"] = {
            "rate": f"{m.rate.numerator}/{m.rate.denominator}", "minimum": m.minimum,
            **({} if m.band is None else {"band": list(m.band)}),
            "release_threshold": m.release_threshold, "release": m.release,
            "invalidation": m.invalidation,
            **({} if m.invalidation_threshold is None
               else {"invalidation_threshold": m.invalidation_threshold}),
        }
    return table


def _read_msr(table: object) -> MSRRules | None:
    """MSR rules from a ``[reserve.msr]`` table (the rate as "24/100" or 0.24)."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise TypeError(f"reserve.msr must be a table (got {table!r})")
    rate = table.get("rate")
    if not isinstance(rate, str | int | float) or isinstance(rate, bool):
        raise TypeError(f"reserve.msr.rate must be a fraction such as \"24/100\" (got {rate!r})")
    try:
        fraction = Fraction(rate if isinstance(rate, str) else repr(rate))
    except ValueError:
        raise ValueError(f"reserve.msr.rate must be a fraction such as \"24/100\" "
                         f"(got {rate!r})") from None
    band = table.get("band")
    if band is not None and (not isinstance(band, list) or len(band) != 2):
        raise ValueError(f"reserve.msr.band must be [lower, upper] (got {band!r})")
    return MSRRules(
        year=0, rate=fraction, minimum=table.get("minimum", 0),
        band=None if band is None else (band[0], band[1]),
        months=12, release_threshold=table.get("release_threshold", 0),
        release=table.get("release", 0), invalidation=table.get("invalidation", "none"),
        invalidation_threshold=table.get("invalidation_threshold"), sources=("scenario file",),
    )


def _write_firms(path: Path, scenario: Scenario) -> None:
    firms = scenario.firms
    assert isinstance(scenario.mac, LinearMAC)
    slopes = scenario.mac.marginal_cost(np.ones(len(firms)))
    years = firms.base_years.tolist()
    header = [*_FIRM_COLUMNS, *(f"emissions_{y}" for y in years), *(f"output_{y}" for y in years)]

    def cell(x: Any) -> str:
        if isinstance(x, float) and math.isnan(x):
            return ""
        return repr(x) if isinstance(x, float) else str(x)

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(len(firms)):
            row = [firms.id[i], firms.product[i],
                   "" if firms.sector is None else firms.sector[i],
                   "" if firms.region is None else firms.region[i],
                   int(firms.entry_year[i]), float(firms.closure_year[i]),
                   float(firms.current_output[i]),
                   math.nan if firms.current_emissions is None else
                   float(firms.current_emissions[i]),
                   float(scenario.bau[i]), float(slopes[i]),
                   *map(float, firms.emissions[i]), *map(float, firms.output[i])]
            writer.writerow([cell(x.item() if hasattr(x, "item") else x) for x in row])


def _read_firms(path: Path) -> tuple[Firms, NDArray[np.float64], LinearMAC]:
    table = read_csv_table(path)
    header, rows = table.header, table.rows
    for name in ("id", "product", "entry_year", "current_output", "bau", "mac_slope"):
        if name not in header:
            raise InputFileError(path, 1, name, f"missing column (header: {header})")
    years = sorted(int(h.split("_", 1)[1]) for h in header
                   if h.startswith("emissions_") and h.split("_", 1)[1].isdigit())
    if not rows:
        raise InputFileError(path, None, None, "has no installations")

    def number(line: int, rec: dict[str, str], name: str, *, blank: float | None = None) -> float:
        text = (rec.get(name) or "").strip()
        if not text and blank is not None:
            return blank
        try:
            return float(text)
        except ValueError:
            raise InputFileError(path, line, name, f"{text!r} is not a number") from None

    def column(name: str, **kw: Any) -> list[float]:
        return [number(line, rec, name, **kw) for line, rec in rows]

    def labels(name: str) -> list[str] | None:
        if name not in header:
            return None
        return [rec[name] for _, rec in rows]

    try:
        firms = Firms(
            [rec["id"] for _, rec in rows], product=[rec["product"] for _, rec in rows],
            sector=labels("sector"), region=labels("region"),
            entry_year=[int(x) for x in column("entry_year")],
            base_years=years,
            emissions=[[number(line, rec, f"emissions_{y}", blank=math.nan) for y in years]
                       for line, rec in rows],
            output=[[number(line, rec, f"output_{y}", blank=math.nan) for y in years]
                    for line, rec in rows],
            current_output=column("current_output"),
            closure_year=column("closure_year", blank=math.nan) if "closure_year" in header
            else None,
            current_emissions=column("current_emissions", blank=math.nan)
            if "current_emissions" in header else None,
        )
        return firms, np.array(column("bau")), LinearMAC(column("mac_slope"))
    except (ValueError, TypeError) as err:
        if isinstance(err, InputFileError):
            raise
        raise InputFileError(path, None, None, str(err)) from None


#: The keys a scenario file may hold, table by table ("" is the top level).
_FILE_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "": ("name", "firms", "start_year", "years", "cap", "allocation", "auction", "reserve",
         "compliance"),
    "cap": ("initial", "reduction", "path"),
    "allocation": ("rule", "auction_share", "options"),
    "auction": ("reserve_price", "price_rule", "reoffer_unsold", "bid_levels"),
    "reserve": ("band_reference", "band_width", "band_tranche", "msr"),
    "reserve.msr": ("rate", "minimum", "band", "release_threshold", "release", "invalidation",
                    "invalidation_threshold"),
    "compliance": ("penalty", "banking"),
}

#: The key of a scenario file behind each argument a Scenario's errors name (the
#: price band's ``reference``, ``lower`` and ``upper`` included).
_FILE_KEY_OF: Final = {
    "name": "name", "start_year": "start_year", "years": "years",
    "reduction": "cap.reduction", "rule": "allocation.rule",
    "rule_options": "allocation.options", "auction_share": "allocation.auction_share",
    "reserve_price": "auction.reserve_price", "price_rule": "auction.price_rule",
    "reoffer_unsold": "auction.reoffer_unsold", "bid_levels": "auction.bid_levels",
    "band_reference": "reserve.band_reference", "reference": "reserve.band_reference",
    "band_width": "reserve.band_width", "lower": "reserve.band_width",
    "upper": "reserve.band_width", "band_tranche": "reserve.band_tranche",
    "penalty": "compliance.penalty", "banking": "compliance.banking",
}

_Tables = dict[str, dict[str, Any]]


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario written by :meth:`Scenario.save` (or by hand).

    Parameters
    ----------
    path : str or Path
        The TOML file; its ``firms`` key names the installations' CSV,
        read from the same folder.

    Returns
    -------
    Scenario

    Raises
    ------
    InputFileError
        For a missing file, bad TOML, a table given as a value (``cap =
        100000`` instead of a ``[cap]`` table), a key the format does not
        know (a misspelling), a missing or bad key (named with its table),
        an option of the allocation rule that the rule does not take or
        refuses (named ``allocation.options.<option>`` where the rule's
        error names one), or a problem in the installations' CSV (file,
        line, field).
    """
    path = Path(path)
    tables = _scenario_tables(path, _read_toml(path))
    arguments = _scenario_arguments(path, tables)
    firms, bau, mac = _read_firms(path.with_name(_text(path, tables, "firms")))
    try:
        return Scenario(firms=firms, bau=bau, mac=mac, **arguments)
    except (ValueError, TypeError) as err:
        raise InputFileError(path, None, _file_key(str(err), tables), str(err)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML document at ``path`` (UTF-8; a bad byte is named by its line)."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(path, getattr(err, "lineno", None), None, str(err)) from None


def _scenario_tables(path: Path, document: dict[str, Any]) -> _Tables:
    """Each table of a scenario file by name ("" for the top level; an absent table is
    empty), after checking that each is a table and holds only known keys."""
    tables: _Tables = {"": document}
    for name in list(_FILE_KEYS)[1:]:
        parent, _, key = name.rpartition(".")
        value = tables[parent].get(key, {})
        if not isinstance(value, dict):
            raise InputFileError(path, None, name, f"must be a table (got {value!r})")
        tables[name] = value
    for name, table in tables.items():
        for key in table:
            if key not in _FILE_KEYS[name]:
                raise InputFileError(path, None, f"{name}.{key}" if name else key,
                                     f"is not a known key (expected one of "
                                     f"{', '.join(_FILE_KEYS[name])})")
    return tables


def _value(path: Path, tables: _Tables, table: str, key: str, default: Any = ...) -> Any:
    """``key`` of ``table``, or ``default`` (an InputFileError without one)."""
    if key in tables[table]:
        return tables[table][key]
    if default is ...:
        raise InputFileError(path, None, f"{table}.{key}" if table else key, "is missing")
    return default


def _text(path: Path, tables: _Tables, key: str, default: Any = ...) -> str:
    """A string at the top level of a scenario file."""
    value = _value(path, tables, "", key, default)
    if not isinstance(value, str):
        raise InputFileError(path, None, key, f"must be a string (got {value!r})")
    return value


def _cap_argument(path: Path, cap: dict[str, Any]) -> Any:
    """The ``[cap]`` table: ``path`` (one cap per year) or ``initial`` (with ``reduction``)."""
    if "path" not in cap:
        return _value(path, {"cap": cap}, "cap", "initial")
    if "initial" in cap or "reduction" in cap:
        raise InputFileError(path, None, "cap.path",
                             "cannot be given with cap.initial or cap.reduction")
    if not isinstance(cap["path"], list):
        raise InputFileError(path, None, "cap.path",
                             f"must be a list of one cap per year (got {cap['path']!r})")
    return tuple(cap["path"])


def _scenario_arguments(path: Path, tables: _Tables) -> dict[str, Any]:
    """The keyword arguments of :class:`Scenario` (all but the installations) in a file."""
    try:
        msr = _read_msr(tables["reserve"].get("msr"))
    except (ValueError, TypeError) as err:
        raise InputFileError(path, None, "reserve.msr", str(err)) from None

    def get(table: str, key: str, default: Any = ...) -> Any:
        return _value(path, tables, table, key, default)

    return {
        "name": _text(path, tables, "name", path.stem),
        "start_year": get("", "start_year"), "years": get("", "years"),
        "cap": _cap_argument(path, tables["cap"]), "reduction": get("cap", "reduction", 0.0),
        "rule": get("allocation", "rule", "grandfathering"),
        "rule_options": get("allocation", "options", {}),
        "auction_share": get("allocation", "auction_share", 0.0),
        "reserve_price": get("auction", "reserve_price", 0.0),
        "price_rule": get("auction", "price_rule", "last_accepted"),
        "reoffer_unsold": get("auction", "reoffer_unsold", False),
        "bid_levels": get("auction", "bid_levels", 25),
        "band_reference": get("reserve", "band_reference", None),
        "band_width": get("reserve", "band_width", 0.2),
        "band_tranche": get("reserve", "band_tranche", 0), "msr": msr,
        "penalty": get("compliance", "penalty", 100.0),
        "banking": get("compliance", "banking", True),
    }


def _file_key(message: str, tables: _Tables) -> str | None:
    """The key of a scenario file that a Scenario's error ``message`` is about, if known
    (``rule_options['activity']`` is ``allocation.options.activity``)."""
    option = re.match(r"rule_options\[(['\"])(.+?)\1\]", message)
    if option:
        return f"allocation.options.{option[2]}"
    argument = message.split(" ", 1)[0].split("[", 1)[0]
    if argument == "cap":
        return "cap.path" if "path" in tables["cap"] else "cap.initial"
    return _FILE_KEY_OF.get(argument)


# ---------------------------------------------------------------- simulation


@dataclass(frozen=True, kw_only=True)
class YearResult:
    """One year of a simulation (totals over installations; money in currency units)."""

    year: int
    cap: int
    free: int
    free_incumbents: int
    free_new_entrants: int
    offered: int
    sold: int
    auction_price: float
    auction_revenue: float
    market_price: float
    market_status: str
    traded: int
    abatement: float
    emissions: int
    surrendered: int
    shortfall: int
    penalties: float
    banked: int
    expired: int
    recovered: int
    band_sold: int
    band_bought: int
    msr_intake: int
    msr_release: int
    msr_invalidated: int
    msr_held: int
    reserve_permits: int
    reserve_cash: float
    abatement_cost: float
    compliance_cost: float


@dataclass(frozen=True, kw_only=True, eq=False)
class FirmYear:
    """One year of a simulation, per installation (arrays in the order of the firms)."""

    year: int
    active: NDArray[np.bool_]
    free: NDArray[np.int64]
    bought_at_auction: NDArray[np.int64]
    paid_at_auction: NDArray[np.float64]
    band_trade: NDArray[np.int64]
    band_paid: NDArray[np.float64]
    net_trade: NDArray[np.int64]
    market_price: float
    abatement_cost: NDArray[np.float64]
    emissions: NDArray[np.int64]
    penalty: NDArray[np.float64]

    @property
    def cost(self) -> NDArray[np.float64]:
        """Net compliance cost: abatement, auction payments, trades at market price, penalties."""
        price = 0.0 if math.isnan(self.market_price) else self.market_price
        total: NDArray[np.float64] = (self.abatement_cost + self.paid_at_auction + self.band_paid
                                      + price * self.net_trade + self.penalty)
        return total


@dataclass(frozen=True, kw_only=True, eq=False)
class SimulationResult:
    """The years of a simulation, the account's ledger and the final holdings."""

    scenario: Scenario
    years: tuple[YearResult, ...]
    firm_years: tuple[FirmYear, ...]
    account: Reserve
    holdings: NDArray[np.int64]
    issued: tuple[int, ...]
    circulation: tuple[int, ...]

    def table(self, *, as_frame: bool | None = None) -> Any:
        """One row per year: a pandas DataFrame when pandas is installed, else dicts."""
        rows = [{f.name: getattr(y, f.name) for f in fields(y)} for y in self.years]
        if as_frame is False:
            return rows
        try:
            import pandas as pd
        except ImportError:
            if as_frame:
                raise
            return rows
        return pd.DataFrame(rows).set_index("year")

    def conserves_permits(self) -> bool:
        """Every permit accounted for, every year.

        Permits issued so far equal the permits the installations hold, plus
        those in the reserve, plus those retired; and the installations'
        holdings in the account equal what the simulation says they hold.
        """
        a = self.account
        return (
            a.permits + a.circulation + a.cancelled == a.issued == sum(self.scenario.cap_path())
            and a.circulation == int(self.holdings.sum())
            and all(c >= 0 for c in self.circulation)
            and list(self.issued) == list(np.cumsum(self.scenario.cap_path()))
        )


def _demand_bids(
    firms: Firms, active: NDArray[np.bool_], holdings: NDArray[np.int64],
    bau: NDArray[np.float64], mac: MarginalAbatementCost, floor: float, ceiling: float,
    levels: int,
) -> Bids | None:
    """Each installation's demand at a ladder of prices, as bids.

    At price ``p`` an installation abates ``min(bau, a(p))`` and needs the
    rest of its emissions beyond its holdings; its bid at each level is the
    extra need relative to the level above, in whole permits. The prices are
    those of :func:`_bid_prices`, from the reserve price ``floor`` to the
    penalty ``ceiling``.
    """
    prices = _bid_prices(floor, ceiling, levels)
    if prices is None:
        return None
    need = np.array([
        np.ceil(np.maximum(bau - np.minimum(mac.abatement(p), bau) - holdings, 0.0) - 1e-9)
        for p in prices
    ]) * active
    steps = np.diff(np.vstack([np.zeros(len(firms)), need]), axis=0).astype(np.int64)
    level, firm = np.nonzero(steps > 0)
    if level.size == 0:
        return None
    return Bids(bidder=firm, price=prices[level], quantity=steps[level, firm])


def _bid_prices(floor: float, ceiling: float, levels: int) -> NDArray[np.float64] | None:
    """At most ``levels`` whole-cent prices, high to low, from ``floor`` to ``ceiling``.

    No installation pays more for a permit than the penalty for the tonne,
    and bids are whole cents: the top price is the penalty ``ceiling``
    rounded down to the cent (the bottom one the reserve price ``floor``
    rounded up), so a reserve price above the penalty leaves no bids.

    Examples
    --------
    >>> _bid_prices(20.0, 100.0, 5).tolist()
    [100.0, 80.0, 60.0, 40.0, 20.0]
    >>> _bid_prices(20.0, 99.999, 3).tolist()
    [99.99, 60.0, 20.0]
    >>> _bid_prices(100.0, 99.999, 3) is None
    True
    """
    low, high = _to_cents(floor, up=True), _to_cents(ceiling, up=False)
    if low > high:
        return None
    cents = np.unique(np.rint(np.linspace(low, high, levels)))[::-1]
    prices: NDArray[np.float64] = cents / 100
    return prices


def _to_cents(price: float, *, up: bool) -> int:
    """``price`` in whole cents: itself when it is a whole number of cents (the float
    nearest to one, as 0.29 is), else rounded up or down to the next cent."""
    exact = Fraction(price) * 100
    cents = round(exact)
    if cents / 100 == price:
        return cents
    return math.ceil(exact) if up else math.floor(exact)


def _band_operation(
    s: Scenario, account: Reserve, available: int, price: float, bau: NDArray[np.float64],
    holdings: NDArray[np.int64], year: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64]] | None:
    """The reserve's sale at the band's ceiling (of at most ``available`` permits) or
    purchase at its floor, per firm."""
    assert s.band_reference is not None
    band = PriceBand(reference=s.band_reference, lower=s.band_width, upper=s.band_width)
    n = holdings.size
    ids = np.arange(n)
    if price > band.ceiling and available:
        gap = bau - np.minimum(s.mac.abatement(band.ceiling), bau) - holdings
        need = np.ceil(np.maximum(gap, 0.0) - 1e-9).astype(np.int64)
        quantity = min(s.band_tranche, available, int(need.sum()))
        if quantity == 0:
            return None
        buyers = need > 0
        record = account.sell_fixed_price(
            Bids(bidder=ids[buyers], price=np.full(int(buyers.sum()), band.ceiling),
                 quantity=need[buyers]),
            price=band.ceiling, quantity=quantity, note=f"{year} band sale at {band.ceiling}")
        sign = 1
    elif price < band.floor and account.cash_cents > 0:
        spare = holdings - (bau - np.minimum(s.mac.abatement(band.floor), bau))
        surplus = np.floor(np.maximum(spare, 0.0) + 1e-9).astype(np.int64)
        affordable = account.cash_cents // round(band.floor * 100) if band.floor > 0 else 0
        quantity = min(s.band_tranche, int(surplus.sum()), int(affordable))
        if quantity == 0:
            return None
        sellers = surplus > 0
        record = account.repurchase_fixed_price(
            Offers(price=np.full(int(sellers.sum()), band.floor), quantity=surplus[sellers],
                   seller=ids[sellers]),
            price=band.floor, quantity=quantity, note=f"{year} band purchase at {band.floor}")
        sign = -1
    else:
        return None
    moved, money = np.zeros(n, dtype=np.int64), np.zeros(n)
    for t in record.transfers:
        firm = int(t.party)  # type: ignore[call-overload]  # parties are firm indices
        moved[firm] += t.permits
        money[firm] += t.cents / 100
    assert int(moved.sum()) == sign * quantity
    return moved, money


class _MSRYear(NamedTuple):
    offered: int
    held: int
    intake: int
    release: int
    invalidated: int


def _msr_step(
    rules: MSRRules | None, account: Reserve, held: int, tnac: int, last_offered: int,
    year: int, *, offered: int,
) -> _MSRYear:
    """The stability reserve's year: invalidation (cancelled from the account), the
    intake taken from the ``offered`` auction volume as far as it goes, the release
    added to it."""
    if rules is None:
        return _MSRYear(offered, 0, 0, 0, 0)
    step = rules.update(held, tnac, auctioned_previous_year=last_offered)
    if step.invalidated:
        account.cancel(step.invalidated, note=f"{year} stability reserve holdings invalidated")
    intake = min(step.intake, offered)
    return _MSRYear(offered - intake + step.release, step.held - (step.intake - intake),
                    intake, step.release, step.invalidated)


def _whole_tonnes(
    emissions: NDArray[np.float64], covered: NDArray[np.int64], short: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Emissions in whole tonnes.

    A firm the market left covered (nothing bought at the ceiling) emits no
    more than its whole permits after trading: the rounding of trades to
    whole permits moves at most a fraction of a tonne of abatement to it. A
    firm short at the ceiling emits its emissions rounded up.
    """
    whole = np.ceil(np.maximum(emissions, 0.0) - 1e-6).astype(np.int64)
    return np.where(short > 1e-9, whole, np.minimum(whole, covered))


def simulate(
    scenario: Scenario, *, rng: int | np.random.Generator | None = None
) -> SimulationResult:
    """Run ``scenario`` year by year (see the module notes).

    Examples
    --------
    >>> result = simulate(Scenario.example(years=3), rng=1)
    >>> [y.year for y in result.years], result.conserves_permits()
    ([2026, 2027, 2028], True)
    >>> result.years[0].cap, result.years[0].free + result.years[0].offered
    (100000, 100000)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    run = _Run(scenario, np.random.default_rng(rng))
    years, firm_years, issued, circulation = [], [], [], []
    for year, cap in zip(scenario.years_simulated, scenario.cap_path(), strict=True):
        totals, per_firm = run.year(year, cap)
        years.append(totals)
        firm_years.append(per_firm)
        issued.append(run.account.issued)
        circulation.append(run.account.circulation)
    holdings = run.holdings
    holdings.flags.writeable = False
    return SimulationResult(scenario=scenario, years=tuple(years), firm_years=tuple(firm_years),
                            account=run.account, holdings=holdings,
                            issued=tuple(issued), circulation=tuple(circulation))


class _Sale(NamedTuple):
    """The year's auction, per firm and in total."""

    offered: int
    won: NDArray[np.int64]
    paid: NDArray[np.float64]
    sold: int
    price: float
    revenue: float


class _Trade(NamedTuple):
    """The year's market: the equilibrium, the band's operation and the trades."""

    market: MarketResult
    band_trade: NDArray[np.int64]
    band_paid: NDArray[np.float64]
    net_trade: NDArray[np.int64]
    traded: int


class _Run:
    """A scenario being run: the account, the installations' holdings, what carries over."""

    def __init__(self, scenario: Scenario, generator: np.random.Generator) -> None:
        self.s, self.generator = scenario, generator
        n = len(scenario.firms)
        self.ids = list(range(n))
        self.account = Reserve(note=scenario.name)
        self.holdings = np.zeros(n, dtype=np.int64)
        self.penalty = PenaltyRule(per_tonne=scenario.penalty, name="scenario penalty")
        self.carried, self.msr_held, self.last_offered = 0, 0, 0

    def year(self, year: int, cap: int) -> tuple[YearResult, FirmYear]:
        """Steps 1-6 of the module notes for one year."""
        s, firms, account = self.s, self.s.firms, self.account
        active = (firms.entry_year <= year) & ~firms.is_closed(year)
        recovered = int(self.holdings[~active].sum())
        if recovered:
            account.recover(recovered, source="closed installations", note=f"{year} closures")
            self.holdings[~active] = 0
        tnac = int(self.holdings.sum())
        free, auctioned = self._allocate(year, cap, active)
        msr = _msr_step(s.msr, account, self.msr_held, tnac, self.last_offered, year,
                        offered=auctioned + (self.carried if s.reoffer_unsold else 0))
        self.msr_held = msr.held
        bau = np.where(active, s.bau, 0.0)
        self.last_offered = min(msr.offered, account.permits - msr.held)
        sale = self._auction(year, active, bau, self.last_offered)
        trade = self._trade(year, bau)
        emissions = _whole_tonnes(bau - trade.market.abatement, self.holdings,
                                  trade.market.issued)
        settled = surrender(emissions, self.holdings, penalty=self.penalty, banking=s.banking)
        account.retire(self.ids, settled.permits_surrendered, note=f"{year} surrendered")
        if settled.expired.any():
            account.retire(self.ids, settled.expired, note=f"{year} expired (no banking)")
        self.holdings = np.asarray(settled.banked, dtype=np.int64).copy()
        per_firm = FirmYear(
            year=year, active=active, free=free, bought_at_auction=sale.won,
            paid_at_auction=sale.paid, band_trade=trade.band_trade, band_paid=trade.band_paid,
            net_trade=trade.net_trade, market_price=float(trade.market.price),
            abatement_cost=trade.market.abatement_cost, emissions=emissions,
            penalty=settled.penalty,
        )
        totals = self._totals(year, cap, free, recovered, sale, trade, msr, emissions, settled)
        return totals, per_firm

    def _allocate(
        self, year: int, cap: int, active: NDArray[np.bool_],
    ) -> tuple[NDArray[np.int64], int]:
        """Issue the cap and hand out the free share; the free permits per firm and the
        permits the rule leaves for auction."""
        s, account = self.s, self.account
        account.set_aside(cap, note=f"{year} cap")
        rows = np.flatnonzero(active)
        alloc = get_rule(s.rule)(s.firms.take(rows), cap, auction_share=s.auction_share,
                                 year=year, **s.rule_options)
        free = np.zeros(len(s.firms), dtype=np.int64)
        free[rows] = alloc.permits
        account.allocate_free(self.ids, free, note=f"{year} free allocation ({s.rule})")
        if alloc.cancelled:
            account.cancel(alloc.cancelled, note=f"{year} unallocated, cancelled")
        self.holdings += free
        return free, alloc.auctioned

    def _auction(
        self, year: int, active: NDArray[np.bool_], bau: NDArray[np.float64], offered: int,
    ) -> _Sale:
        """Sell ``offered`` permits to the installations' demand bids."""
        s, n = self.s, len(self.s.firms)
        won, paid = np.zeros(n, dtype=np.int64), np.zeros(n)
        sold, price, revenue = 0, math.nan, 0.0
        bids = _demand_bids(s.firms, active, self.holdings, bau, s.mac, s.reserve_price,
                            s.penalty, s.bid_levels)
        if offered and bids is not None:
            record = self.account.sell_by_auction(bids, offered, reserve_price=s.reserve_price,
                                                  price_rule=s.price_rule, rng=self.generator,
                                                  note=f"{year} auction")
            assert record.result is not None
            for party, total in record.result.by_bidder().items():
                won[int(party)], paid[int(party)] = total.awarded, total.payment
            self.holdings += won
            result = record.result
            sold, price, revenue = result.sold, result.clearing_price, result.revenue
        self.carried = offered - sold if s.reoffer_unsold else self.carried + offered - sold
        return _Sale(offered, won, paid, sold, price, revenue)

    def _trade(self, year: int, bau: NDArray[np.float64]) -> _Trade:
        """The band's operation if the price leaves it, then trading to the equilibrium in
        whole permits."""
        s, n = self.s, len(self.s.firms)
        band_trade, band_paid = np.zeros(n, dtype=np.int64), np.zeros(n)
        market = equilibrium(bau, self.holdings, s.mac, price_ceiling=s.penalty)
        if s.band_reference is not None and s.band_tranche:
            moved = _band_operation(s, self.account, self.account.permits - self.msr_held,
                                    market.price, bau, self.holdings, year)
            if moved is not None:
                band_trade, band_paid = moved
                self.holdings += band_trade
                market = equilibrium(bau, self.holdings, s.mac, price_ceiling=s.penalty)
        held = self.holdings
        target = np.maximum(held + market.net_trade, 0.0)
        after = largest_remainder(target, int(held.sum())) if held.sum() else held
        self.holdings = after
        return _Trade(market, band_trade, band_paid, after - held,
                      int(np.abs(after - held).sum() // 2))

    def _totals(
        self, year: int, cap: int, free: NDArray[np.int64], recovered: int, sale: _Sale,
        trade: _Trade, msr: _MSRYear, emissions: NDArray[np.int64], settled: Surrender,
    ) -> YearResult:
        new, market, account = self.s.firms.is_new_entrant, trade.market, self.account
        return YearResult(
            year=year, cap=cap, free=int(free.sum()),
            free_incumbents=int(free[~new].sum()), free_new_entrants=int(free[new].sum()),
            offered=int(sale.offered), sold=int(sale.sold), auction_price=float(sale.price),
            auction_revenue=float(sale.revenue), market_price=float(market.price),
            market_status=market.status, traded=trade.traded,
            abatement=float(market.abatement.sum()), emissions=int(emissions.sum()),
            surrendered=int(settled.permits_surrendered.sum()),
            shortfall=int(settled.shortfall.sum()), penalties=float(settled.total_penalty),
            banked=int(settled.banked.sum()), expired=int(settled.expired.sum()),
            recovered=recovered, band_sold=int(np.maximum(trade.band_trade, 0).sum()),
            band_bought=int(np.maximum(-trade.band_trade, 0).sum()), msr_intake=msr.intake,
            msr_release=msr.release, msr_invalidated=msr.invalidated, msr_held=self.msr_held,
            reserve_permits=account.permits, reserve_cash=float(account.cash),
            abatement_cost=float(market.abatement_cost.sum()),
            compliance_cost=float(market.abatement_cost.sum()) + float(sale.revenue)
            + math.fsum(trade.band_paid) + float(settled.total_penalty),
        )


def plot_scenario(result: SimulationResult, ax: Any = None) -> Any:
    """Prices (auction and market) and the reserve's permits, year by year.

    Needs the ``plot`` extra (matplotlib). Prices on the left axis, permits
    held in the reserve as bars on a twin right axis.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_scenario(simulate(Scenario.example(years=3), rng=0))
    >>> [line.get_label() for line in ax.get_lines()]
    ['auction price', 'market price']
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    years = [y.year for y in result.years]
    reserve_ax = ax.twinx()
    reserve_ax.bar(years, [y.reserve_permits for y in result.years], color="tab:grey",
                   alpha=0.3, label="reserve (permits)")
    reserve_ax.set_ylabel("permits in the reserve")
    ax.set_zorder(reserve_ax.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.plot(years, [y.auction_price for y in result.years], "o-", label="auction price")
    ax.plot(years, [y.market_price for y in result.years], "s--", label="market price")
    ax.set_xlabel("year")
    ax.set_ylabel("price per permit")
    ax.set_title(result.scenario.name)
    ax.legend(loc="upper left")
    return ax
