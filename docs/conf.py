"""Sphinx configuration for listingmirror_shipstation."""

import listingmirror_shipstation

project = "listingmirror_shipstation"
author = "listingmirror_shipstation developers"
copyright = "2026, listingmirror_shipstation developers"
release = listingmirror_shipstation.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
    "sphinx_copybutton",
]
# The copy button leaves out prompts and doctest output, so what is copied runs as it is.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "listingmirror_shipstation"

# Types come from the annotations, never from docstring prose.
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_class_signature = "separated"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# Every cross-reference must resolve: a broken one fails the build (-n -W in CI).
nitpicky = True
# CI has no internet, so intersphinx cannot fetch the Python, attrs and cattrs inventories.
# References into those libraries are therefore not linked (and not checked); ours are.
nitpick_ignore_regex = [
    ("py:class", r"(datetime|decimal|enum|typing|collections\.abc|zoneinfo|types)\..*"),
    ("py:class", r"(attrs|attr|cattrs|cattr|hypothesis|urllib3|argparse)\..*"),
    ("py:(class|func|mod)", r"(abc|pathlib|urllib|wsgiref|sqlite3|socketserver|collections)\..*"),
    ("py:(class|obj|data|exc|func)", r"(.*\.)?(T|_T_co|Any|Final|ClassVar|TypeVar|Self)"),
    ("py:(exc|class|func|meth|mod|data)", r"(ValueError|TypeError|json\.loads)"),
    ("py:class", r".*\.SearchStrategy.*"),
    ("py:class", r"(os\.PathLike|psycopg\..*|logging\.Logger)"),
    # Private bases (shown by show-inheritance) are not documented on purpose.
    ("py:class", r"listingmirror_shipstation\..*\._\w+"),
    ("py:class", r"listingmirror_shipstation\._\w+\.\w+"),  # in a private module
    # A generic re-exported class: its alias keeps the defining module's path.
    ("py:class", r"listingmirror_shipstation\.listingmirror\.client\.Page"),
]

doctest_global_setup = """
from decimal import Decimal
from datetime import UTC, date, datetime
"""
