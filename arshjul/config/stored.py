"""The configuration a municipality was last loaded with, as the database stores it."""

from __future__ import annotations

from arshjul.config.schema import MunicipalityConfig
from arshjul.models import Municipality

_CONFIGS: dict[tuple[int | None, str], MunicipalityConfig] = {}


def municipality_config(municipality: Municipality) -> MunicipalityConfig:
    """The validated configuration the municipality was last loaded with.

    Cached by the loaded file's digest, which apply_config updates with the config.
    """
    key = (municipality.id, municipality.config_digest)
    if key not in _CONFIGS or not municipality.config_digest:
        _CONFIGS[key] = MunicipalityConfig.model_validate(municipality.config)
    return _CONFIGS[key]
