"""What the lifecycle needs to know about a municipality: its config and its contacts."""

from __future__ import annotations

from sqlmodel import Session, select

from arshjul.config.schema import MunicipalityConfig
from arshjul.errors import NotFoundError
from arshjul.models import Contact, ContactRole, Municipality, OrgUnit

_CONFIGS: dict[tuple[int | None, str], MunicipalityConfig] = {}


def municipality_config(municipality: Municipality) -> MunicipalityConfig:
    """The validated configuration the municipality was last loaded with.

    Cached by the loaded file's digest, which apply_config updates with the config.
    """
    key = (municipality.id, municipality.config_digest)
    if key not in _CONFIGS or not municipality.config_digest:
        _CONFIGS[key] = MunicipalityConfig.model_validate(municipality.config)
    return _CONFIGS[key]


def get_municipality(session: Session, code: str | None = None) -> Municipality:
    """The municipality with this code, or the only one when no code is given."""
    statement = select(Municipality).order_by(Municipality.id)
    if code is not None:  # one row by the unique index, not every municipality decoded
        statement = statement.where(Municipality.code == code)
    rows = session.exec(statement).all()
    if not rows:
        if code:
            raise NotFoundError(
                f"Kommunen med kod {code} finns inte i databasen: kör arshjul init."
            )
        raise NotFoundError("Databasen har ingen kommun: kör först arshjul init.")
    if len(rows) > 1:
        codes = ", ".join(f"{m.code} ({m.name})" for m in rows)
        raise NotFoundError(f"Databasen har flera kommuner; ange en med --kommun: {codes}.")
    return rows[0]


def contacts(
    session: Session, *, municipality_id: int, unit_id: int | None, role: ContactRole
) -> list[Contact]:
    """The people in a role for a unit (unit None: municipality-wide roles)."""
    statement = select(Contact).where(
        Contact.municipality_id == municipality_id,
        Contact.unit_id == unit_id,
        Contact.role == role,
    )
    return list(session.exec(statement.order_by(Contact.id)).all())


def controller_for(session: Session, unit: OrgUnit) -> Contact | None:
    """The unit's controller, else the central controller team."""
    found = contacts(
        session, municipality_id=unit.municipality_id, unit_id=unit.id, role=ContactRole.CONTROLLER
    ) or contacts(
        session, municipality_id=unit.municipality_id, unit_id=None, role=ContactRole.CONTROLLER
    )
    return found[0] if found else None


def recipients_for_request(session: Session, unit: OrgUnit) -> list[Contact]:
    """Who gets a unit's requests: its secretary (an administration: its head)."""
    role = ContactRole.HEAD if unit.kind == "administration" else ContactRole.SECRETARY
    found = contacts(session, municipality_id=unit.municipality_id, unit_id=unit.id, role=role)
    if not found:
        found = contacts(
            session, municipality_id=unit.municipality_id, unit_id=unit.id, role=ContactRole.HEAD
        )
    return found
