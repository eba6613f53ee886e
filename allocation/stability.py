"""The EU Market Stability Reserve: intake, release and invalidation by rule.

The Market Stability Reserve (MSR) of the EU Emissions Trading System takes
allowances out of future auctions when the surplus is large and puts them back
when it is small. The surplus indicator is the total number of allowances in
circulation (TNAC), published by the Commission every year (by 15 May until
2023, by 1 June since) for the end of the year before. Every rule here is a
pure function of the TNAC, the year and, where the law needs them, the
allowances the reserve holds and the previous year's auction volume.

``year`` is always the year in which the TNAC is *published*. The intake it
decides is taken from auctions over the twelve months from 1 September of
that year (from 1 January to 31 August 2019 for the TNAC published in 2018).

The rules by year of publication:

- 2018: 16 % of the TNAC (for eight months), nothing when that is below 200
  million;
- 2019 to 2022: 24 %, nothing below 200 million;
- 2023: as 2019-2022; holdings above the previous year's auction volume are
  invalidated;
- 2024 to 2030: as 2023, except that a TNAC above 833 million and below
  1 096 million feeds ``TNAC - 833 million``, and holdings above 400 million
  are invalidated.

- Intake (Decision (EU) 2015/1814, Article 1(5)): each year 12 % of the TNAC
  is placed in the reserve, "unless the number of allowances to be placed in
  the reserve would be less than 100 million"; for 1 January to 31 August
  2019 the share was 8 % of the TNAC published in 2018. Directive (EU)
  2018/410, Article 2(1), doubled "the percentages and the 100 million
  allowances" until 31 December 2023 (so 24 %, 16 % and 200 million);
  Decision (EU) 2023/852 extended the doubling to 31 December 2030. The
  "833 million" threshold the Commission quotes is where 24 % of the TNAC
  reaches 200 million: 833 333 334 allowances is the smallest TNAC that
  feeds the reserve under the 2018-2023 rules.
- The band (from the TNAC published in 2024; introduced by the 2023
  Fit-for-55 amendments of Decision (EU) 2015/1814, which we read as
  Directive (EU) 2023/959, Article 2): when the TNAC is higher than
  833 million and lower than 1 096 million, the intake is the TNAC minus 833
  million, which joins the 24 % line continuously at 1 096 million (24 % of
  it is 263 040 000, the difference 263 000 000).
- Release (Decision (EU) 2015/1814, Article 1(6)): in any year the TNAC is
  below 400 million, 100 million allowances are released from the reserve
  (all of them if it holds fewer). Not doubled by the amendments.
- Invalidation (Article 1(5a), inserted by Directive (EU) 2018/410, Article
  2(2)): from 2023, allowances held in the reserve above the total auctioned
  the previous year are no longer valid; from 2024 (Directive (EU) 2023/959)
  the threshold is a fixed 400 million.

Rounding: the law does not say how a percentage of the TNAC is rounded to
whole allowances. The Commission's published intakes match rounding to the
nearest allowance (24 % of 1 654 909 824 is 397 178 357.76, published as
397 178 358; 24 % of 1 134 794 738 is 272 350 737.12, published as
272 350 737), which is what :func:`msr_intake` does, in exact integer
arithmetic. For 12 %, 16 % and 24 % a tie at one half cannot occur.

Not modelled: the price-triggered release of Article 29a of Directive
2003/87/EC, the REPowerEU derogation (Regulation (EU) 2023/435), and any
rule after 2030 (the doubling lapses at the end of 2030 and the reserve is
under review; a Commission proposal of April 2026 to stop invalidation had
not become law when this module was written). :class:`MSRRules` can be built
by hand for such scenarios.

References
----------
Decision (EU) 2015/1814 of the European Parliament and of the Council of 6
October 2015 concerning the establishment and operation of a market
stability reserve for the Union greenhouse gas emission trading scheme, OJ L
264, 9.10.2015, p. 1, Article 1(4)-(6).
Directive (EU) 2018/410 of 14 March 2018, OJ L 76, 19.3.2018, p. 3, Article 2
(doubling until 2023; invalidation from 2023).
Decision (EU) 2023/852 of 19 April 2023, OJ L 110, 25.4.2023, p. 21
(doubling extended to 2030).
Directive (EU) 2023/959 of 10 May 2023, OJ L 130, 16.5.2023, p. 134, Article 2
(the 833-1 096 million band; invalidation above 400 million from 2024).
European Commission, communications on the TNAC of 15 May 2018, 15 May 2019,
15 May 2023 and 2026 (published intakes: 264 731 936 for January-August 2019;
397 178 358; 272 350 737; 190 494 202 for a TNAC of 1 023 494 202).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Final, Literal, NamedTuple

from auctions._validate import check_nonnegative_int

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MSRRules",
    "MSRUpdate",
    "msr_intake",
    "msr_invalidation",
    "msr_release",
    "msr_rules",
    "msr_update",
]

#: First and last years of publication whose rules are in force in this module.
FIRST_YEAR: Final = 2018
LAST_YEAR: Final = 2030

MILLION: Final = 1_000_000

#: The kinds of invalidation: none, above the previous year's auction volume,
#: or above a fixed threshold.
INVALIDATION: Final = ("none", "auction_volume", "fixed")

_2015 = "Decision (EU) 2015/1814, Article 1(5)-(6)"
_2018 = "Directive (EU) 2018/410, Article 2"
_2023A = "Decision (EU) 2023/852"
_2023B = "Directive (EU) 2023/959, Article 2"


@dataclass(frozen=True, kw_only=True)
class MSRRules:
    """The reserve's rules for one year of TNAC publication.

    Attributes
    ----------
    year : int
        The year the TNAC is published.
    rate : Fraction
        Share of the TNAC placed in the reserve.
    minimum : int
        No intake when ``rate * TNAC`` is below this.
    band : tuple of int or None
        ``(lower, upper)``: when ``lower < TNAC < upper`` the intake is
        ``TNAC - lower`` instead.
    months : int
        Length of the intake period.
    release_threshold : int
        A TNAC below it releases allowances.
    release : int
        Allowances released (or all the reserve holds, if fewer).
    invalidation : {"none", "auction_volume", "fixed"}
        Which holdings lose validity on 1 January: none, those above the
        previous year's auction volume, or those above
        ``invalidation_threshold``.
    invalidation_threshold : int or None
        The fixed threshold, for ``"fixed"``.
    sources : tuple of str
        The legal acts the rules come from.

    Examples
    --------
    A hypothetical post-2030 scenario: 12 % with a 100 million minimum, the
    band switched off:

    >>> from fractions import Fraction
    >>> rules = MSRRules(year=2031, rate=Fraction(12, 100), minimum=100_000_000,
    ...                  band=None, months=12, release_threshold=400_000_000,
    ...                  release=100_000_000, invalidation="fixed",
    ...                  invalidation_threshold=400_000_000, sources=("scenario",))
    >>> rules.intake(900_000_000)
    108000000
    """

    year: int
    rate: Fraction
    minimum: int
    band: tuple[int, int] | None
    months: int
    release_threshold: int
    release: int
    invalidation: Literal["none", "auction_volume", "fixed"]
    invalidation_threshold: int | None
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        # Whole numbers given as floats (833e6) are stored as the ints they stand for,
        # so that every quantity the rules compute is an int, exactly.
        for name in ("year", "minimum", "months", "release_threshold", "release"):
            object.__setattr__(self, name, check_nonnegative_int(name, getattr(self, name)))
        if not isinstance(self.rate, Fraction) or not 0 <= self.rate <= 1:
            raise ValueError(f"rate must be a Fraction in [0, 1] (got {self.rate!r})")
        if self.band is not None:
            if not isinstance(self.band, tuple) or len(self.band) != 2:
                raise ValueError(f"band must be (lower, upper) (got {self.band!r})")
            lower, upper = (check_nonnegative_int("band", b) for b in self.band)
            if lower >= upper:
                raise ValueError(f"band must be (lower, upper) with lower < upper "
                                 f"(got {self.band!r})")
            object.__setattr__(self, "band", (lower, upper))
        if self.invalidation not in INVALIDATION:
            raise ValueError(f"invalidation must be one of {', '.join(map(repr, INVALIDATION))} "
                             f"(got {self.invalidation!r})")
        if (self.invalidation == "fixed") != (self.invalidation_threshold is not None):
            raise ValueError(
                "invalidation_threshold is given exactly when invalidation is 'fixed' "
                f"(got {self.invalidation!r}, {self.invalidation_threshold!r})")
        if self.invalidation_threshold is not None:
            object.__setattr__(self, "invalidation_threshold", check_nonnegative_int(
                "invalidation_threshold", self.invalidation_threshold))

    def intake(self, tnac: int) -> int:
        """Allowances placed in the reserve for a TNAC, rounded to the nearest."""
        t = check_nonnegative_int("tnac", tnac)
        if self.band is not None and self.band[0] < t < self.band[1]:
            return t - self.band[0]
        share = self.rate * t
        if share < self.minimum:
            return 0
        return int((share + Fraction(1, 2)).__floor__())

    def released(self, tnac: int, held: int) -> int:
        """Allowances released from a reserve holding ``held`` for a TNAC."""
        t = check_nonnegative_int("tnac", tnac)
        h = check_nonnegative_int("held", held)
        return min(self.release, h) if t < self.release_threshold else 0

    def invalidated(self, held: int, auctioned_previous_year: int | None = None) -> int:
        """Allowances held that lose validity on 1 January."""
        h = check_nonnegative_int("held", held)
        volume = (None if auctioned_previous_year is None
                  else check_nonnegative_int("auctioned_previous_year", auctioned_previous_year))
        if self.invalidation == "none":
            return 0
        if self.invalidation == "fixed":
            assert self.invalidation_threshold is not None
            return max(h - self.invalidation_threshold, 0)
        if volume is None:
            raise ValueError(
                f"auctioned_previous_year is needed for invalidation in {self.year} "
                "(the threshold is the previous year's auction volume)"
            )
        return max(h - volume, 0)

    def update(
        self, held: int, tnac: int, *, auctioned_previous_year: int | None = None,
    ) -> MSRUpdate:
        """One year of the reserve under these rules (see :func:`msr_update`)."""
        h = check_nonnegative_int("held", held)
        invalid = self.invalidated(h, auctioned_previous_year)
        left = h - invalid
        intake = self.intake(tnac)
        release = self.released(tnac, left)
        return MSRUpdate(invalid, intake, release, left + intake - release)

    def scaled(self, factor: float) -> MSRRules:
        """The same rules for a market ``factor`` times the size: every quantity
        (minimum, band, thresholds, release) multiplied and rounded to the
        nearest allowance; the rate unchanged.

        Examples
        --------
        The 2026 rules for a regional market a ten-thousandth of the EU's:

        >>> r = msr_rules(2026).scaled(1e-4)
        >>> r.minimum, r.band, r.release_threshold, r.release, r.invalidation_threshold
        (20000, (83300, 109600), 40000, 10000, 40000)
        """
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            raise TypeError(f"factor must be a real number (got {factor!r})")
        if isinstance(factor, int):
            if factor <= 0:
                raise ValueError(f"factor must be finite and > 0 (got {factor!r})")
            f = Fraction(factor)
        else:
            if not 0 < factor < float("inf"):
                raise ValueError(f"factor must be finite and > 0 (got {factor!r})")
            f = Fraction(repr(float(factor)))

        def scale(x: int) -> int:
            return int((x * f + Fraction(1, 2)).__floor__())

        band = None if self.band is None else (scale(self.band[0]), scale(self.band[1]))
        if band is not None and band[0] >= band[1]:
            raise ValueError(f"factor {factor!r} is too small: it shrinks the band "
                             f"{self.band} to {band}")
        return replace(
            self,
            minimum=scale(self.minimum),
            band=band,
            release_threshold=scale(self.release_threshold),
            release=scale(self.release),
            invalidation_threshold=(None if self.invalidation_threshold is None
                                    else scale(self.invalidation_threshold)),
            sources=(*self.sources, f"scaled by {factor!r}"),
        )


def _check_year(year: object) -> int:
    y = check_nonnegative_int("year", year)
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise ValueError(
            f"year must be between {FIRST_YEAR} and {LAST_YEAR}, the years of TNAC "
            f"publication whose reserve rules are law; build MSRRules for others (got {y})"
        )
    return y


def msr_rules(year: int) -> MSRRules:
    """The reserve's rules for the TNAC published in ``year`` (2018 to 2030).

    Raises
    ------
    ValueError, TypeError
        For a year that is not a whole number from 2018 to 2030.

    Examples
    --------
    >>> r = msr_rules(2024)
    >>> r.rate, r.band, r.invalidation_threshold
    (Fraction(6, 25), (833000000, 1096000000), 400000000)
    >>> msr_rules(2018).months
    8
    """
    y = _check_year(year)
    rate = Fraction(16, 100) if y == FIRST_YEAR else Fraction(24, 100)
    sources = [_2015, _2018]
    band: tuple[int, int] | None = None
    invalidation: Literal["none", "auction_volume", "fixed"] = "none"
    threshold = None
    if y >= 2023:
        invalidation = "auction_volume"
    if y >= 2024:
        sources += [_2023A, _2023B]
        band = (833 * MILLION, 1_096 * MILLION)
        invalidation, threshold = "fixed", 400 * MILLION
    return MSRRules(
        year=y,
        rate=rate,
        minimum=200 * MILLION,
        band=band,
        months=8 if y == FIRST_YEAR else 12,
        release_threshold=400 * MILLION,
        release=100 * MILLION,
        invalidation=invalidation,
        invalidation_threshold=threshold,
        sources=tuple(sources),
    )


def msr_intake(tnac: int, year: int) -> int:
    """Allowances placed in the Market Stability Reserve for the TNAC published in ``year``.

    Parameters
    ----------
    tnac : int
        The total number of allowances in circulation, a whole number >= 0.
    year : int
        The year the TNAC is published, 2018 to 2030.

    Returns
    -------
    int
        Allowances deducted from the auctions of the following twelve months
        (eight for 2018) and placed in the reserve.

    Raises
    ------
    ValueError, TypeError
        For a negative or fractional TNAC, or a year outside 2018-2030.

    Notes
    -----
    24 % of the TNAC (16 % for the eight months fed by the 2018 publication),
    nothing when that share is below 200 million, rounded to the nearest
    allowance; from 2024, a TNAC strictly between 833 and 1 096 million feeds
    ``TNAC - 833 million``. See the module notes for the legal text.

    References
    ----------
    Decision (EU) 2015/1814, Article 1(5); Directive (EU) 2018/410, Article
    2(1); Decision (EU) 2023/852; Directive (EU) 2023/959, Article 2.

    Examples
    --------
    The Commission's publications of 2019 and 2023 (24 % of the TNAC, to the
    nearest allowance):

    >>> msr_intake(1_654_909_824, 2019)
    397178358
    >>> msr_intake(1_134_794_738, 2023)
    272350737

    The band since 2024 (the 2026 publication) and the thresholds:

    >>> msr_intake(1_023_494_202, 2026)
    190494202
    >>> msr_intake(833_333_333, 2022), msr_intake(833_333_334, 2022)
    (0, 200000000)
    >>> msr_intake(833_000_000, 2024), msr_intake(833_000_001, 2024)
    (0, 1)
    """
    return msr_rules(year).intake(tnac)


def msr_release(tnac: int, year: int, *, held: int) -> int:
    """Allowances released from the reserve for the TNAC published in ``year``.

    100 million when the TNAC is below 400 million, or all the reserve holds
    if that is less; otherwise none.

    Parameters
    ----------
    tnac : int
        The total number of allowances in circulation, >= 0.
    year : int
        The year the TNAC is published, 2018 to 2030.
    held : int
        Allowances in the reserve, >= 0.

    Returns
    -------
    int

    References
    ----------
    Decision (EU) 2015/1814, Article 1(6).

    Examples
    --------
    >>> msr_release(399_999_999, 2025, held=400_000_000)
    100000000
    >>> msr_release(400_000_000, 2025, held=400_000_000)
    0
    >>> msr_release(350_000_000, 2025, held=60_000_000)
    60000000
    """
    return msr_rules(year).released(tnac, held)


def msr_invalidation(held: int, year: int, *, auctioned_previous_year: int | None = None) -> int:
    """Allowances in the reserve that lose validity on 1 January of ``year``.

    Parameters
    ----------
    held : int
        Allowances in the reserve on 1 January, >= 0.
    year : int
        2018 to 2030. Nothing is invalidated before 2023.
    auctioned_previous_year : int, optional
        Allowances auctioned in ``year - 1``; needed for 2023, whose
        threshold it is.

    Returns
    -------
    int

    References
    ----------
    Decision (EU) 2015/1814, Article 1(5a), inserted by Directive (EU)
    2018/410, Article 2(2); amended by Directive (EU) 2023/959 (a fixed 400
    million from 2024).

    Examples
    --------
    >>> msr_invalidation(3_000_000_000, 2023, auctioned_previous_year=550_000_000)
    2450000000
    >>> msr_invalidation(900_000_000, 2024), msr_invalidation(900_000_000, 2022)
    (500000000, 0)
    """
    return msr_rules(year).invalidated(held, auctioned_previous_year)


class MSRUpdate(NamedTuple):
    """One year of the reserve: what was invalidated, taken in, released, and held after."""

    invalidated: int
    intake: int
    release: int
    held: int


def msr_update(
    held: int, tnac: int, year: int, *, auctioned_previous_year: int | None = None
) -> MSRUpdate:
    """Advance the reserve's holding by one year of publication.

    Invalidation on 1 January of ``year`` applies to ``held``; then the
    intake and release decided on the TNAC published in ``year`` are booked
    in full (in law the intake is spread over the following twelve months).
    Allowances are conserved: ``held - invalidated + intake - release`` is
    the new holding.

    Parameters
    ----------
    held : int
        Allowances in the reserve on 1 January, >= 0.
    tnac : int
        The TNAC published in ``year``, >= 0.
    year : int
        2018 to 2030.
    auctioned_previous_year : int, optional
        Needed for 2023 (see :func:`msr_invalidation`).

    Returns
    -------
    MSRUpdate

    Examples
    --------
    >>> msr_update(1_000_000_000, 1_023_494_202, 2026)
    MSRUpdate(invalidated=600000000, intake=190494202, release=0, held=590494202)
    >>> msr_update(450_000_000, 300_000_000, 2027)
    MSRUpdate(invalidated=50000000, intake=0, release=100000000, held=300000000)
    """
    return msr_rules(year).update(held, tnac, auctioned_previous_year=auctioned_previous_year)
