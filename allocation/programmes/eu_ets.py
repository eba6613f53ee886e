"""EU ETS: auction volumes under the Market Stability Reserve, and the auctions themselves.

The EU ETS auctions (:mod:`auctions.rules.eu_ets`) sell the volumes of the
auction calendar; the Market Stability Reserve (:mod:`allocation.stability`)
changes those volumes every year:

- **Intake** (Decision (EU) 2015/1814, Art. 1(5), doubled by Directive (EU)
  2018/410 and Decision (EU) 2023/852; the band of Directive (EU) 2023/959):
  a share of the total number of allowances in circulation (TNAC) published
  in a year is deducted from the volumes auctioned over the twelve months
  from 1 September (eight months from January 2019) and placed in the
  reserve: 24 % (16 % for the 2018 publication), nothing when that is below
  200 million; from the 2024 publication a TNAC above 833 million and below
  1,096 million feeds ``TNAC - 833 million``.
- **Release** (Art. 1(6)): when the TNAC is below 400 million, 100 million
  allowances (or all the reserve holds) are released and added to the
  volumes auctioned.
- **Invalidation** (Art. 1(5a)): from 2023, holdings above the previous
  year's auction volume, and from 2024 above 400 million, lose validity.

:func:`msr_year` applies the three to a year's planned auction volume. How
the intake is spread over the individual auctions of the twelve months is
set in the auction calendars and is not modelled; the year's total is.

References
----------
Decision (EU) 2015/1814, Article 1(4)-(6); Directive (EU) 2018/410, Article 2;
Decision (EU) 2023/852; Directive (EU) 2023/959, Article 2 (see
:mod:`allocation.stability` for the provisions and the Commission's
published intakes they were checked against).

Examples
--------
The TNAC published in 2023 (1,134,794,738) took 272,350,737 allowances out
of the volumes auctioned from September 2023:

>>> y = msr_year(2_500_000_000, 1_134_794_738, 2023, planned=600_000_000,
...              auctioned_previous_year=550_000_000)
>>> y.update.intake, y.auction_volume
(272350737, 327649263)
"""

from __future__ import annotations

from dataclasses import dataclass

from allocation.stability import MSRUpdate, msr_rules, msr_update
from auctions._validate import check_nonnegative_int
from auctions.rules.eu_ets import CANCELLED_VOLUME, RULES, auction, redistribute

__all__ = [
    "CANCELLED_VOLUME",
    "RULES",
    "EUYear",
    "auction",
    "auction_volume",
    "msr_intake",
    "msr_year",
    "redistribute",
]


@dataclass(frozen=True, kw_only=True)
class EUYear:
    """One year of the reserve and the volume left to auction.

    Attributes
    ----------
    update : MSRUpdate
        Invalidated, taken in, released and held after.
    planned : int
        The volume planned for auction before the reserve.
    auction_volume : int
        ``planned - update.intake + update.release``.
    """

    update: MSRUpdate
    planned: int
    auction_volume: int


def msr_intake(tnac: int, year: int) -> int:
    """Allowances the reserve takes for the TNAC published in ``year`` (2018-2030).

    Examples
    --------
    >>> msr_intake(833_333_334, 2023), msr_intake(833_333_333, 2023)
    (200000000, 0)
    """
    return msr_rules(year).intake(tnac)


def _volume(planned: int, intake: int, release: int) -> int:
    p = check_nonnegative_int("planned", planned)
    if intake > p + release:
        raise ValueError(
            f"planned must be at least the intake less the release, {intake - release} "
            f"(got {p})"
        )
    return p - intake + release


def auction_volume(planned: int, tnac: int, year: int, *, held: int) -> int:
    """The volume left to auction: planned, less the intake, plus any release.

    Parameters
    ----------
    planned : int
        The volume planned for the twelve months of the intake.
    tnac : int
        The TNAC published in ``year``.
    year : int
        2018 to 2030.
    held : int
        Allowances in the reserve (bounding the release).

    Examples
    --------
    A TNAC below 400 million releases 100 million:

    >>> auction_volume(500_000_000, 350_000_000, 2027, held=300_000_000)
    600000000
    """
    rules = msr_rules(year)
    return _volume(planned, rules.intake(tnac), rules.released(tnac, held))


def msr_year(
    held: int,
    tnac: int,
    year: int,
    *,
    planned: int,
    auctioned_previous_year: int | None = None,
) -> EUYear:
    """Advance the reserve by one year of publication and set the volume to auction.

    Parameters
    ----------
    held : int
        Allowances in the reserve on 1 January.
    tnac : int
        The TNAC published in ``year``.
    year : int
        2018 to 2030.
    planned : int
        The volume planned for auction over the intake period.
    auctioned_previous_year : int, optional
        Needed in 2023 (the invalidation threshold).

    Returns
    -------
    EUYear
    """
    update = msr_update(held, tnac, year, auctioned_previous_year=auctioned_previous_year)
    return EUYear(update=update, planned=planned,
                  auction_volume=_volume(planned, update.intake, update.release))
