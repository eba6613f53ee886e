"""Sphinx configuration of the permits documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the packages, when they are not installed
os.environ.setdefault("MPLBACKEND", "Agg")  # doctest-style examples may import matplotlib

import auctions  # noqa: E402

project = "permits"
author = "The permits developers"
copyright = "The permits developers"
release = auctions.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "matplotlib.sphinxext.plot_directive",
]

# Sources: MyST markdown pages and the teaching notebooks. ``notebooks`` is a
# link to the repository's ``notebooks/`` folder; only the ``.ipynb`` half of
# each jupytext pair is a source (the ``.py`` half is not a source suffix).
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
master_doc = "index"

# The notebooks are rendered as they are stored (without outputs): the test
# suite executes them, the documentation build does not.
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3

# API reference: autodoc reads the docstrings, numpydoc renders their sections.
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_class_signature = "mixed"
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# Figures drawn at build time by the ``plot`` directive (a few small ones).
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.autolayout": True}

html_theme = "furo"
html_title = f"permits {release}"
html_static_path: list[str] = []
