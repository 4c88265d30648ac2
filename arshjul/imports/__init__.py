"""Imports from files: budget frames, actuals, forecasts and planning figures (CSV or XLSX).

``import_file`` reads a file of one kind (``ramar``, ``utfall``, ``prognos``,
``befolkning``, ``volymer``, ``index``, ``finansiella-mal``), checks every row,
and writes all of it or nothing. The kinds and their columns are declared in
``kinds.py``; an example file per kind is in ``arshjul/templates/import/``.
"""

from arshjul.imports.apply import ImportReport, import_file
from arshjul.imports.kinds import ImportKind
from arshjul.imports.registry import KINDS, get_kind
from arshjul.imports.trial_balance import import_trial_balance

__all__ = [
    "KINDS",
    "ImportKind",
    "ImportReport",
    "get_kind",
    "import_file",
    "import_trial_balance",
]
