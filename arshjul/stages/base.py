"""The shape every stage shares: its context, its specification, its registry."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from arshjul.config.schema import MunicipalityConfig
from arshjul.config.stored import municipality_config
from arshjul.errors import NotFoundError
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.models import Cycle, GeneratedDocument, Municipality, OrgUnit, StageInstance
from arshjul.settings import Settings


@dataclass
class StageContext:
    """Everything a stage's functions need, for one municipality, year and moment."""

    session: Session
    municipality: Municipality
    stage: StageInstance
    cycle: Cycle
    as_of: dt.datetime
    settings: Settings
    # What a document needed and the database lacked, for the stage's log and artifact.
    missing: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.cycle.year

    @property
    def config(self) -> MunicipalityConfig:
        return municipality_config(self.municipality)

    @property
    def link_key(self) -> bytes:
        return self.settings.link_key()

    @property
    def out_dir(self) -> Path:
        """``utdata/2027/tertial``: a year's documents by stage, so none overwrites another."""
        folder = self.stage.slug + (
            f"-{self.stage.instance_key}" if self.stage.instance_key else ""
        )
        return Path(self.settings.output_dir) / str(self.year) / folder

    @property
    def template(self) -> Path | None:
        """The municipality's own base Word template, if it has one."""
        return self.config.documents.template_path(Path(self.municipality.config_source))

    @property
    def logo(self) -> Path | None:
        """The municipality's logo for the documents' header, if it has one."""
        return self.config.documents.logo_path(Path(self.municipality.config_source))

    @property
    def demo(self) -> bool:
        return self.config.municipality.demo


@dataclass(frozen=True)
class OpenExtras:
    """What goes with a stage's requests: an attached document, say."""

    attachments: tuple[tuple[str, str, bytes], ...] = ()
    document_name: str | None = None


@dataclass(frozen=True)
class StageSpec:
    """A stage's own parts; everything else is the common lifecycle."""

    slug: str
    units: Callable[[StageContext], list[OrgUnit]] | None = None
    # Before the requests go out (ramar computes the frames and writes its document).
    prepare: Callable[[StageContext], None] | None = None
    # What goes with each request, read from the database (a document written by prepare).
    extras: Callable[[StageContext], OpenExtras] | None = None
    # The stage's documents, from what the database holds (``arshjul document`` too).
    write: Callable[[StageContext], list[Path]] | None = None
    asks: tuple[str, ...] = field(default=())


def record_document(ctx: StageContext, *, kind: str, title: str, path: Path) -> GeneratedDocument:
    """A written document as a row; a rebuild with other content is a new version.

    The path is stored absolute: the portal serves the file from another working
    folder than the stage run's (``portal/staff.py``).
    """
    path = path.resolve()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    latest = ctx.session.exec(
        select(GeneratedDocument)
        .where(GeneratedDocument.stage_instance_id == ctx.stage.id, GeneratedDocument.kind == kind)
        .order_by(GeneratedDocument.version.desc())  # type: ignore[attr-defined]
    ).first()
    missing = list(dict.fromkeys(ctx.missing))
    if latest is not None and latest.sha256 == digest and latest.path == str(path):
        if latest.missing != missing:
            latest.missing = missing
            ctx.session.add(latest)
        return latest
    row = GeneratedDocument(
        municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
        stage_instance_id=ctx.stage.id,  # type: ignore[arg-type]
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        title=title,
        path=str(path),
        sha256=digest,
        missing=missing,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def stage_context(
    session: Session,
    *,
    municipality: Municipality,
    year: int,
    slug: str,
    as_of: dt.datetime,
    settings: Settings,
    instance_key: str = "",
) -> StageContext:
    """The context of a stage instance, created from the calendar if new."""

    stage = ensure_stage_instance(
        session, municipality=municipality, year=year, slug=slug, instance_key=instance_key
    )
    cycle = session.get(Cycle, stage.cycle_id)
    if cycle is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFoundError("Årshjulet saknas i databasen.")
    return StageContext(session, municipality, stage, cycle, as_of, settings)
