"""Key figures from Kolada (RKA): fetched from its v3 API, or imported from its files.

- :mod:`arshjul.kolada.values`: a value as Kolada gives it, read from its answer's shape.
- :mod:`arshjul.kolada.client`: the async HTTP client (retries, back-off, paging).
- :mod:`arshjul.kolada.fetch`: what to fetch for a municipality, and the fetch itself.
- :mod:`arshjul.kolada.store`: the values into ``kolada_value``, never a value by a blank.
- :mod:`arshjul.kolada.files`: ``arshjul import kolada FIL`` (Kolada's JSON, or CSV).

No Prefect here: the flow ``kolada-hamtning`` (``arshjul/flows/kolada.py``) puts these
steps in order. The words are in ``README.md`` beside this file.
"""

from arshjul.kolada.client import KoladaClient, KoladaError
from arshjul.kolada.fetch import FetchOutcome, FetchPlan, fetch_values, plan_for
from arshjul.kolada.files import import_kolada_file, read_kolada_file
from arshjul.kolada.store import StoreReport, store_values
from arshjul.kolada.values import KoladaRow

__all__ = [
    "FetchOutcome",
    "FetchPlan",
    "KoladaClient",
    "KoladaError",
    "KoladaRow",
    "StoreReport",
    "fetch_values",
    "import_kolada_file",
    "plan_for",
    "read_kolada_file",
    "store_values",
]
