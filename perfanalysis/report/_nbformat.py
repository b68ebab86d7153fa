"""Imported before nbformat and papermill: jsonschema without rfc3987-syntax's grammars.

nbformat imports jsonschema, and jsonschema's format module imports rfc3987-syntax when it
is installed (jupyter-events asks for it), which compiles 38 lark grammars at import: 1.8 s
of CPU in every process that reads a notebook, runs papermill or registers a plotly
renderer (which imports nbformat), so in each chapter's kernel as well. They serve the
"iri" and "iri-reference" format checks, which notebook validation never runs (jsonschema
checks formats only when given a FormatChecker). Importing this module first imports
jsonschema with that optional import failing, as if the package were absent; later imports
of rfc3987-syntax work as usual.
"""

from __future__ import annotations

import sys

#: the optional dependency jsonschema's format module tries at import
IRI_GRAMMARS = "rfc3987_syntax"


def import_jsonschema_without_iri_grammars() -> None:
    """Import jsonschema with ``IRI_GRAMMARS`` unimportable for the duration (a ``None``
    entry in ``sys.modules`` makes ``import`` raise ImportError, which jsonschema skips).
    Nothing to do when jsonschema or the grammars are imported already."""
    if "jsonschema" in sys.modules or IRI_GRAMMARS in sys.modules:
        return
    sys.modules[IRI_GRAMMARS] = None  # type: ignore[assignment]
    try:
        import jsonschema  # noqa: F401
    finally:
        if sys.modules.get(IRI_GRAMMARS, "") is None:
            del sys.modules[IRI_GRAMMARS]


import_jsonschema_without_iri_grammars()
