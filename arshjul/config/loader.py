"""Reading a municipality's TOML file: parse, validate, and nothing else."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from arshjul.config.messages import swedish_errors
from arshjul.config.schema import MunicipalityConfig
from arshjul.errors import ConfigError


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", text)
    head = text.split(" (at ")[0]
    reason = next((sv for en, sv in _TOML_REASONS.items() if head.startswith(en)), head)
    if match:
        return f"rad {match[1]}, kolumn {match[2]}: {reason}"
    return f"{reason} (i slutet av filen)" if "end of document" in text else reason


_TOML_REASONS = {
    "Invalid value": "ogiltigt värde",
    "Cannot overwrite a value": "samma nyckel anges två gånger",
    "Cannot declare": "samma tabell anges två gånger",
    "Expected '=' after a key in a key/value pair": "det saknas '=' efter nyckeln",
    "Unclosed array": "en lista är inte avslutad med ]",
    "Unterminated string": "en text saknar avslutande citattecken",
    "Invalid statement": "ogiltig rad",
}


def shipped_config_path() -> Path:
    """The Arboga example that ships with the package."""
    return Path(str(resources.files("arshjul.config").joinpath("arboga.toml")))


@dataclass(frozen=True)
class LoadedConfig:
    config: MunicipalityConfig
    path: Path
    digest: str

    def resolve(self, relative: Path) -> Path:
        """A path in the file, read relative to the file's folder."""
        return relative if relative.is_absolute() else (self.path.parent / relative).resolve()


def load_config(path: Path | None = None) -> LoadedConfig:
    """Read and validate a municipality's file; any mistake is a :class:`ConfigError`."""
    path = Path(path) if path else shipped_config_path()
    if path.is_dir():
        raise ConfigError(
            f"{path} är en mapp; ange kommunens TOML-fil, t.ex. {path / 'kommun.toml'}."
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Konfigurationsfilen {path} finns inte.") from None
    except OSError as exc:
        raise ConfigError(f"Konfigurationsfilen {path} kunde inte läsas: {exc.strerror}.") from None
    try:
        # utf-8-sig: Windows editors (Notepad) save UTF-8 with a byte-order mark.
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: filen är inte sparad som UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: filen är ingen giltig TOML: {_toml_reason(exc)}.") from None
    try:
        config = MunicipalityConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            f"{path}: konfigurationen har fel och har inte lästs in:",
            details=swedish_errors(exc),
        ) from None
    missing = [
        f"documents.{name}: filen {full} finns inte"
        for name, full in (
            ("template", config.documents.template_path(path)),
            ("logo", config.documents.logo_path(path)),
        )
        if full is not None and not full.is_file()
    ]
    if missing:
        raise ConfigError(
            f"{path}: konfigurationen har fel och har inte lästs in:", details=missing
        )
    return LoadedConfig(config=config, path=path.resolve(), digest=hashlib.sha256(raw).hexdigest())
