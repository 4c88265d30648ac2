"""No PDFs in a module's shared fixtures unless a test asks for one.

The root conftest sets ``ARSHJUL_PDF=0`` for each test, but module-scoped fixtures
(a whole simulated year, the documents built once per module) run before it and
would have LibreOffice convert every document they write, twice: 3–10 s each.
A module imports this fixture (autouse) to turn PDFs off for its whole life. (It is
no conftest.py here: a second module named ``conftest`` hides the root one, which
tests import from.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arshjul.settings import get_settings


@pytest.fixture(scope="module", autouse=True)
def _pdf_off_for_the_module() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARSHJUL_PDF", "0")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()
