"""The configuration a municipality was last loaded with, as the database stores it."""

from __future__ import annotations

from typing import Any

from arshjul.config.schema import MunicipalityConfig
from arshjul.models import Municipality

_CONFIGS: dict[tuple[int | None, str], MunicipalityConfig] = {}


def municipality_config(municipality: Municipality) -> MunicipalityConfig:
    """The validated configuration the municipality was last loaded with.

    Cached by the loaded file's digest, which apply_config updates with the config.
    """
    return stored_config(municipality.id, municipality.config_digest, municipality.config)


def stored_config(
    municipality_id: int | None, digest: str, config: dict[str, Any]
) -> MunicipalityConfig:
    """:func:`municipality_config` from the row's columns (for a reader without the ORM)."""
    key = (municipality_id, digest)
    if key not in _CONFIGS or not digest:
        _CONFIGS[key] = MunicipalityConfig.model_validate(config)
    return _CONFIGS[key]
