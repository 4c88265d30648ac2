"""Who is who in a municipality: the municipality row, and the contacts mail goes to."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from arshjul.errors import NotFoundError
from arshjul.models import Contact, ContactRole, Municipality, OrgUnit


def get_municipality(session: Session, code: str | None = None) -> Municipality:
    """The municipality with this code, or the only one when no code is given."""
    statement = select(Municipality).order_by(col(Municipality.id))
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
    return list(session.exec(statement.order_by(col(Contact.id))).all())


@cache
def _unit_contacts_statement() -> SelectOfScalar[Contact]:
    """Built once: every receipt and reminder asks it."""
    return (
        select(Contact)
        .where(
            Contact.municipality_id == bindparam("municipality_id"),
            or_(col(Contact.unit_id) == bindparam("unit_id"), col(Contact.unit_id).is_(None)),
        )
        .order_by(col(Contact.id))
    )


def unit_contacts(session: Session, unit: OrgUnit) -> list[Contact]:
    """Everyone a unit's mail may go to: its own contacts and the municipality-wide ones.

    One query; :func:`controller_among` and :func:`recipients_among` pick from it.
    """
    params = {"municipality_id": unit.municipality_id, "unit_id": unit.id}
    return list(session.exec(_unit_contacts_statement(), params=params).all())


def _in_role(people: list[Contact], unit_id: int | None, role: ContactRole) -> list[Contact]:
    return [c for c in people if c.unit_id == unit_id and c.role == role]


def controller_among(people: list[Contact], unit: OrgUnit) -> Contact | None:
    """The unit's controller, else the central controller team, from :func:`unit_contacts`."""
    found = _in_role(people, unit.id, ContactRole.CONTROLLER) or _in_role(
        people, None, ContactRole.CONTROLLER
    )
    return found[0] if found else None


def recipients_among(people: list[Contact], unit: OrgUnit) -> list[Contact]:
    """Who gets a unit's requests (its secretary; an administration: its head)."""
    role = ContactRole.HEAD if unit.kind == "administration" else ContactRole.SECRETARY
    return _in_role(people, unit.id, role) or _in_role(people, unit.id, ContactRole.HEAD)


def controller_for(session: Session, unit: OrgUnit) -> Contact | None:
    """The unit's controller, else the central controller team."""
    return controller_among(unit_contacts(session, unit), unit)


def recipients_for_request(session: Session, unit: OrgUnit) -> list[Contact]:
    """Who gets a unit's requests: its secretary (an administration: its head)."""
    return recipients_among(unit_contacts(session, unit), unit)


def escalation_recipients(
    session: Session, unit: OrgUnit, level: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Who a late answer of ``unit`` is escalated to (To, Cc), as (name, address) pairs.

    Level 1: the unit's head, else its parent's (a committee's administration); level 2:
    the chief executive. The controller in copy; with nobody in the role, the controller
    alone. Both empty when there is nobody to tell.
    """
    if level == 1:
        people = contacts(
            session, municipality_id=unit.municipality_id, unit_id=unit.id, role=ContactRole.HEAD
        )
        if unit.parent_id is not None and not people:
            people = contacts(
                session,
                municipality_id=unit.municipality_id,
                unit_id=unit.parent_id,
                role=ContactRole.HEAD,
            )
    else:
        people = contacts(
            session,
            municipality_id=unit.municipality_id,
            unit_id=None,
            role=ContactRole.CHIEF_EXECUTIVE,
        )
    controller = controller_for(session, unit)
    to = [(p.name, p.email) for p in people]
    cc = [(controller.name, controller.email)] if controller else []
    return (to, cc) if to else (cc, [])
