"""Test configuration: Hypothesis profiles.

The ``ci`` profile is derandomised and runs at least 500 examples per
property; it is loaded whenever the ``CI`` environment variable is set. The
default profile stays quick for local runs. ``PERMITS_HYPOTHESIS_PROFILE=thorough``
runs a longer, randomised hunt (5,000 examples per property).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=500,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "thorough", max_examples=5000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("PERMITS_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
