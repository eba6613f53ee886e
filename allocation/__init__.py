"""Emission-permit policy on top of :mod:`auctions`.

Firms, caps, free allocation rules, reserves, the secondary market, compliance
and the ``permits`` command line.
"""

__all__: list[str] = []
