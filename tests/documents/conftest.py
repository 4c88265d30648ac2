"""No PDFs in the document tests unless a test asks for one.

The root conftest sets ``ARSHJUL_PDF=0`` for each test, but module-scoped fixtures
(a whole simulated year, the documents built once per module) run before it and
would have LibreOffice convert every document they write, twice: 3–10 s each.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arshjul.settings import get_settings


@pytest.fixture(scope="session", autouse=True)
def _no_pdf_in_shared_fixtures() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARSHJUL_PDF", "0")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()
