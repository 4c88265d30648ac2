"""The shape of a municipality's TOML file, validated with pydantic.

Keys are the English identifiers used in code (GLOSSARY.md); every message a
user gets about them is Swedish (see :mod:`arshjul.config.messages`).

Terms of office (mandatperioder) and their goals. A file names the terms it has goals
for, each with its own strategic areas, council goals and unit goals:

* ``[term]`` with ``strategic_areas``, ``council_goals`` and ``unit_goals`` at the top
  level is one term (the original form; every older file keeps working);
* ``[[terms]]`` adds terms, each with ``start_year``, ``end_year``,
  ``political_programme`` and its own ``strategic_areas``, ``council_goals`` and
  ``unit_goals`` (``[[terms.council_goals]]`` …). Both forms may stand in one file: a
  municipality adds its next term without moving the goals it has.

The rules, checked within each term: a goal's area and the council goal a unit goal
serves belong to the same term; goal, indicator and area keys are unique within a term
(the same key, "1.1", may be used in two terms); a year target lies within the term. Units
are shared by all terms. No two terms share a year.

Decision: a term must be the computed one (:func:`arshjul.governance.terms.term_of`, the
four years after an ordinary election), with no override. Swedish law fixes the terms: the
council elected in September takes office on 15 October (KL 5 kap. 9 §) and an extra
election does not start a new term (the new council sits out the old one), so a term
that differs from the computed one is a typing mistake, and accepting it would give a
year the goals of a term it is not in. Goals revised during a term are the same term's
goals edited in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from arshjul.accounts.chart import shipped_chart
from arshjul.calendar.rules import CalendarConfig
from arshjul.errors import ConfigError
from arshjul.governance.documents import (
    BODY_OF_UNIT_KIND,
    DEFAULT_NOTICE_DAYS,
    DecidingBody,
    DocumentKind,
    body_problem,
    review_date_problem,
)
from arshjul.governance.terms import (
    TermYears,
    length_problem,
    overlaps,
    start_problem,
    years_of,
)
from arshjul.settings import portal_url_problem
from arshjul.swedish_numbers import PLAUSIBLE_MAX_TKR

_EMAIL = re.compile(
    r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"”{value}” är ingen giltig e-postadress")
    return value


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValueError(
            f"”{value}” duger inte som nyckel: "
            "använd små bokstäver a–z, siffror, punkt och bindestreck"
        )
    return value


Email = Annotated[str, AfterValidator(_email)]
Key = Annotated[str, AfterValidator(_key)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    # inf and nan are no figures: refused here, not met later as an OverflowError.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _duplicates(values: list[str]) -> list[str]:
    return sorted(k for k, n in Counter(values).items() if n > 1)


class Person(Strict):
    name: Text
    email: Email


class ContactConfig(Person):
    role: Literal["secretary", "head", "controller"]


class MunicipalityInfo(Strict):
    code: Annotated[str, Field(pattern=r"^\d{4}$", description="Kommunkod, four digits")]
    name: Text
    short_name: Text
    vision: str = ""
    demo: bool = Field(default=False, description="The figures are invented demo figures")


class MailConfig(Strict):
    from_name: Text
    from_address: Email
    reply_to: Email


class CentralContacts(Strict):
    chief_executive: Person
    finance_director: Person
    controllers: list[Person] = Field(min_length=1)


class TermConfig(Strict):
    """A term of office: four years after an ordinary election (2023–2026, 2027–2030 …)."""

    start_year: int = Field(ge=2000, le=2100)
    end_year: int = Field(ge=2000, le=2100)
    political_programme: str = ""

    @field_validator("start_year")
    @classmethod
    def _starts_after_an_election(cls, start_year: int) -> int:
        problem = start_problem(start_year)
        if problem:
            raise ValueError(problem)
        return start_year

    @field_validator("end_year")
    @classmethod
    def _four_years(cls, end_year: int, info: ValidationInfo) -> int:
        start_year = info.data.get("start_year")
        problem = length_problem(start_year, end_year) if start_year is not None else None
        if problem:
            raise ValueError(problem)
        return end_year


class AreaConfig(Strict):
    key: Key
    name: Text


class IndicatorConfig(Strict):
    key: Key
    name: Text
    unit_of_measure: str = ""
    higher_is_better: bool = True
    kolada_kpi: str | None = None
    term_target: float | None = None
    year_targets: dict[int, float] = Field(default_factory=dict)


class CouncilGoalConfig(Strict):
    key: Key
    area: Key
    title: Text
    description: str = ""
    indicators: list[IndicatorConfig] = Field(default_factory=list)


class UnitGoalConfig(Strict):
    key: Key
    unit: Key
    serves: Key = Field(description="The council goal it contributes to")
    title: Text
    description: str = ""
    indicators: list[IndicatorConfig] = Field(default_factory=list)


class TermGoalsConfig(TermConfig):
    """One term with its own strategic areas and goals (``[[terms]]``)."""

    strategic_areas: list[AreaConfig] = Field(min_length=1)
    council_goals: list[CouncilGoalConfig] = Field(default_factory=list)
    unit_goals: list[UnitGoalConfig] = Field(default_factory=list)

    @property
    def years(self) -> TermYears:
        return years_of(self)

    def problems(self, prefix: str, units: dict[str, UnitConfig]) -> list[str]:
        """What is wrong within the term, each line starting with its field's path."""
        problems: list[str] = []
        goals: list[CouncilGoalConfig | UnitGoalConfig] = [*self.council_goals, *self.unit_goals]
        for label, keys in (
            ("strategic_areas", [a.key for a in self.strategic_areas]),
            ("goals", [g.key for g in goals]),
            ("indicators", [i.key for g in goals for i in g.indicators]),
        ):
            for dup in _duplicates(keys):
                problems.append(
                    f"{prefix}{label}: nyckeln ”{dup}” förekommer mer än en gång "
                    f"i mandatperioden {self.years}"
                )
        area_keys = {a.key for a in self.strategic_areas}
        council_keys = {g.key for g in self.council_goals}
        for i, goal in enumerate(self.council_goals):
            if goal.area not in area_keys:
                problems.append(
                    f"{prefix}council_goals[{i}].area: okänt strategiskt område ”{goal.area}” "
                    f"i mandatperioden {self.years}"
                )
        for i, unit_goal in enumerate(self.unit_goals):
            where = f"{prefix}unit_goals[{i}]"
            if unit_goal.unit not in units:
                problems.append(f"{where}.unit: okänd enhet ”{unit_goal.unit}”")
            elif units[unit_goal.unit].kind not in ("committee", "executive_board", "company"):
                problems.append(
                    f"{where}.unit: ”{unit_goal.unit}” är ingen nämnd, styrelse eller bolag"
                )
            if unit_goal.serves not in council_keys:
                problems.append(
                    f"{where}.serves: okänt fullmäktigemål ”{unit_goal.serves}” "
                    f"i mandatperioden {self.years}"
                )
        lists: tuple[tuple[str, Sequence[CouncilGoalConfig | UnitGoalConfig]], ...] = (
            ("council_goals", self.council_goals),
            ("unit_goals", self.unit_goals),
        )
        for kind, listed in lists:
            for i, any_goal in enumerate(listed):
                for j, ind in enumerate(any_goal.indicators):
                    outside = sorted(y for y in ind.year_targets if y not in self.years)
                    if outside:
                        problems.append(
                            f"{prefix}{kind}[{i}].indicators[{j}].year_targets: "
                            f"{', '.join(map(str, outside))} ligger utanför "
                            f"mandatperioden {self.years}"
                        )
        return problems


UnitKindName = Literal[
    "council", "executive_board", "committee", "administration", "company", "federation"
]


class UnitConfig(Strict):
    key: Key
    name: Text
    kind: UnitKindName
    parent: Key | None = None
    ownership_percent: float | None = Field(default=None, gt=0, le=100)
    municipal_purpose: str = ""
    contacts: list[ContactConfig] = Field(default_factory=list)
    chart: Literal["bas", "kommunbas"] | None = Field(
        default=None,
        description="A company's or federation's chart of accounts (default: bas for "
        "companies, kommunbas for federations)",
    )

    @model_validator(mode="after")
    def _ownership(self) -> Self:
        owned = self.kind in ("company", "federation")
        if self.kind == "company" and self.ownership_percent is None:
            raise ValueError("ett bolag behöver ownership_percent (kommunens ägarandel i procent)")
        if not owned and self.ownership_percent is not None:
            raise ValueError("ownership_percent (ägarandel) gäller bara bolag och kommunalförbund")
        return self


class DeviationConfig(Strict):
    """When a deviation calls for an action plan; the smaller of the two applies."""

    amount_tkr: float = Field(default=1000, gt=0, le=PLAUSIBLE_MAX_TKR)
    share_percent: float = Field(default=0.5, gt=0, le=100)


class WatchConfig(Strict):
    """The daily watch (bevakning): reminders, grace and escalations, in working days."""

    reminder_working_days: list[int] = Field(default_factory=lambda: [5, 1])
    grace_working_days: int = Field(default=2, ge=0, le=30)
    chief_escalation_after_working_days: int = Field(default=3, ge=1, le=30)

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if any(d < 1 or d > 30 for d in self.reminder_working_days):
            raise ValueError("påminnelser skickas 1–30 arbetsdagar före sista dag")
        return self


class DemographyRule(Strict):
    """An age group that drives a unit's service in the resource allocation model."""

    age_group: Text
    unit: Key
    service: Text
    cost_per_inhabitant_tkr: float = Field(gt=0)


class VolumeCost(Strict):
    """What one volume unit of a service costs (tkr), for the volume line of the model."""

    unit: Key
    service: Text
    cost_per_unit_tkr: float = Field(gt=0, le=PLAUSIBLE_MAX_TKR)
    volume_unit: str = "volymenheter"


class AllocationConfig(Strict):
    """The resource allocation model's parameters (resursfördelningsmodellen)."""

    wage_share_percent: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict
    )
    demography: list[DemographyRule] = Field(default_factory=list)
    volumes: list[VolumeCost] = Field(default_factory=list)


def _default_categories() -> list[str]:
    return ["omvärld", "verksamhet", "legal", "IT", "rapportering"]


class InternalControlConfig(Strict):
    """Intern kontroll: the scale a risk is valued on and the categories a risk may have."""

    scale: int = Field(
        default=4, ge=3, le=5, description="Probability and consequence are valued 1–scale"
    )
    categories: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=_default_categories, min_length=1
    )

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        folded = [c.strip().casefold() for c in self.categories]
        dups = _duplicates(folded)
        if dups:
            raise ValueError(f"kategorin ”{dups[0]}” förekommer mer än en gång")
        return self


class ChartOverrides(Strict):
    """Account prefixes over a shipped chart: prefix → statement line, prefix → note group."""

    lines: dict[str, str] = Field(default_factory=dict)
    groups: dict[str, str] = Field(default_factory=dict)


class AccountsConfig(ChartOverrides):
    """The municipality's books: its own prefixes over Kommun-Bas, and which responsibility
    codes (ansvar, by prefix) belong to which committee in the operating accounts."""

    responsibility: dict[str, Key] = Field(default_factory=dict)
    companies: dict[Key, ChartOverrides] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _charts(self) -> Self:
        try:
            shipped_chart("kommunbas").with_overrides(self.lines, self.groups)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        for code in self.responsibility:
            if not code or not code.isalnum():
                raise ValueError(
                    f"responsibility: ”{code}” är ingen ansvarskod (bokstäver, siffror)"
                )
        return self


class GroupConfig(Strict):
    """The municipal group (sammanställda räkenskaper)."""

    material_percent: float = Field(
        default=10,
        gt=0,
        le=100,
        description="The companies' share of the group's assets or income (at the "
        "municipality's share) from which the interim report shows the group",
    )


class PlausibilityConfig(Strict):
    """The largest amount believed, in tkr: a larger one is a typing or export error.

    One cap for every amount a committee types or a file brings (frames, actuals,
    forecasts); tax rates (15–40) and shares (0–100 %) have their own ranges by law and
    by definition. The default fits any Swedish municipality's committee.
    """

    max_amount_tkr: int = Field(default=PLAUSIBLE_MAX_TKR, gt=0, le=10**12)


class PortalConfig(Strict):
    """The submission page: its address, and its limits per personal link.

    ``url`` is the page's address as the secretaries' browsers see it (behind
    the municipality's HTTPS proxy): every link in every e-mail begins with it,
    whichever process sends the mail, and the page takes posts only from it.
    ``ARSHJUL_PORTAL_URL`` overrides it for the whole installation; unset in
    both, it is ``http://127.0.0.1:8000``, for trying Årshjul on one machine
    (:mod:`arshjul.mail.address`).

    The limits are per municipality, not per installation: how often its
    secretaries revise, and how large their attachments are, is the
    municipality's own practice. The defaults leave an honest secretary far
    from every limit (a handful of versions a request, a few MB of
    attachments) and stop a script or a stuck browser within a minute.
    """

    url: str | None = Field(
        default=None,
        description="The page's address, the beginning of every link in the e-mails "
        "(https://…); ARSHJUL_PORTAL_URL overrides it",
    )

    posts_per_minute: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="Versions one link may store in a minute; more get 429 and a wait",
    )
    max_versions: int = Field(
        default=100, ge=1, le=100_000, description="Versions a request may have in all"
    )
    upload_quota_mb: int = Field(
        default=100,
        ge=1,
        le=100_000,
        description="Attachments of all of a request's versions together, in MB (1 MB = 1 MiB)",
    )
    receipt_minutes: int = Field(
        default=5,
        ge=0,
        le=24 * 60,
        description="At most one receipt e-mail a request in this time, naming the newest "
        "version; 0: every version its own receipt at once",
    )

    @field_validator("url")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        problem = portal_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def upload_quota_bytes(self) -> int:
        return self.upload_quota_mb * 1024 * 1024


class DocumentsConfig(Strict):
    template: Path | None = Field(default=None, description="The municipality's own .docx")
    logo: Path | None = Field(
        default=None,
        description="The logo in every page's header (PNG or JPEG), relative to this file",
    )

    @field_validator("logo")
    @classmethod
    def _image(cls, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise ValueError(f"”{value}” ska vara en bild i PNG- eller JPEG-format")
        return value

    def template_path(self, config_file: Path) -> Path | None:
        """The template's path, a relative one read from the configuration file's folder."""
        if self.template is None:
            return None
        return (
            self.template
            if self.template.is_absolute()
            else Path(config_file).parent / self.template
        )

    def logo_path(self, config_file: Path) -> Path | None:
        """The logo's path, a relative one read from the configuration file's folder."""
        if self.logo is None:
            return None
        return self.logo if self.logo.is_absolute() else Path(config_file).parent / self.logo


class KoladaConfig(Strict):
    """Comparisons with other municipalities from Kolada (``[kolada]``, optional).

    The comparison group ("liknande kommuner") is either a list of municipality codes
    or one of Kolada's municipality groups (its id, e.g. ``G33894``), never both: two
    sources for one group would leave open which one the documents mean.
    """

    base_url: str = Field(
        default="https://api.kolada.se/v3",
        description="Kolada's API; a proxy or a local copy where the network is closed",
    )
    comparison_municipalities: list[str] = Field(
        default_factory=list, description="Kommunkoder, four digits each"
    )
    comparison_group: str | None = Field(
        default=None, description="A Kolada municipality group id, e.g. G33894"
    )
    years: int = Field(default=5, ge=1, le=20, description="How many years back to fetch")

    @field_validator("comparison_municipalities")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        wrong = [c for c in codes if not re.fullmatch(r"\d{4}", c)]
        if wrong:
            shown = ", ".join(f"”{c}”" for c in wrong)
            raise ValueError(f"{shown} är ingen kommunkod (fyra siffror, t.ex. 1984)")
        return codes

    @field_validator("comparison_group")
    @classmethod
    def _group(cls, group: str | None) -> str | None:
        if group is not None and not re.fullmatch(r"G\d+", group):
            raise ValueError(f"”{group}” är inget id för en kommungrupp i Kolada (t.ex. G33894)")
        return group

    @field_validator("base_url")
    @classmethod
    def _http(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"”{value}” ska vara en webbadress som börjar med https://")
        return value

    @model_validator(mode="after")
    def _one_group(self) -> Self:
        if self.comparison_municipalities and self.comparison_group:
            raise ValueError(
                "ange antingen comparison_municipalities eller comparison_group, inte båda"
            )
        duplicates = _duplicates(self.comparison_municipalities)
        if duplicates:
            raise ValueError(
                f"comparison_municipalities: {', '.join(duplicates)} står mer än en gång"
            )
        return self


class GoverningDocumentConfig(Strict):
    """One document of the register (``[[governing_documents.documents]]``).

    ``decided_by`` is a unit's key (the council, the board, a committee, or an
    administration for its head's decision) or ``chief_executive``.
    """

    key: Key
    title: Text
    kind: DocumentKind
    owner: Key = Field(description="The unit that owns and reviews it")
    decided_by: Key
    decided_on: dt.date
    paragraph: str = Field(default="", max_length=60)
    next_review: dt.date | None = Field(
        default=None, description="Else the decision date plus the kind's review interval"
    )
    file: str = Field(default="", max_length=500, description="Path or address of the document")
    replaces: str = Field(default="", max_length=300)


class GoverningDocumentsConfig(Strict):
    """The register of governing documents and how often each kind is reviewed."""

    review_years: dict[DocumentKind, Annotated[int, Field(ge=1, le=10)]] = Field(
        default_factory=dict,
        description="Per kind; default 4 (a term) for political, 2 for administrative",
    )
    notice_days: int = Field(
        default=DEFAULT_NOTICE_DAYS,
        ge=0,
        le=365,
        description="How long before its review date the owner is asked",
    )
    ask_owners: bool = Field(
        default=True,
        description="The daily watch asks owners to review and escalates late reviews",
    )
    documents: list[GoverningDocumentConfig] = Field(default_factory=list)

    def problems(self, units: dict[str, UnitConfig]) -> list[str]:
        """Unknown units, a body that does not fit the kind, a review before the decision."""
        problems: list[str] = []
        for dup in _duplicates([d.key for d in self.documents]):
            problems.append(f"governing_documents.documents: nyckeln ”{dup}” står mer än en gång")
        for i, doc in enumerate(self.documents):
            where = f"governing_documents.documents[{i}]"
            if doc.owner not in units:
                problems.append(f"{where}.owner: okänd enhet ”{doc.owner}”")
            body, name = _deciding_body(doc.decided_by, units)
            if body is None:
                problems.append(
                    f"{where}.decided_by: ”{doc.decided_by}” är varken fullmäktige, "
                    "kommunstyrelsen, en nämnd, en förvaltning eller chief_executive"
                )
            else:
                problem = body_problem(doc.kind, body, title=doc.title, body_name=name)
                if problem:
                    problems.append(f"{where}.decided_by: {problem}")
            if doc.next_review is not None:
                problem = review_date_problem(doc.decided_on, doc.next_review)
                if problem:
                    problems.append(f"{where}.next_review: {problem}")
        return problems


def _deciding_body(
    decided_by: str, units: dict[str, UnitConfig]
) -> tuple[DecidingBody | None, str | None]:
    """The body a register's ``decided_by`` names, and its name as a message shows it."""
    if decided_by == "chief_executive":
        return DecidingBody.CHIEF_EXECUTIVE, "kommundirektören"
    unit = units.get(decided_by)
    if unit is None:
        return None, None
    body = BODY_OF_UNIT_KIND.get(unit.kind)
    if body == DecidingBody.HEAD_OF_ADMINISTRATION:
        return body, f"förvaltningschefen för {unit.name}"
    return body, unit.name


class MunicipalityConfig(Strict):
    municipality: MunicipalityInfo
    mail: MailConfig
    central: CentralContacts
    # One term in the original form: [term] with its goals at the top level …
    term: TermConfig | None = None
    strategic_areas: list[AreaConfig] = Field(default_factory=list)
    council_goals: list[CouncilGoalConfig] = Field(default_factory=list)
    unit_goals: list[UnitGoalConfig] = Field(default_factory=list)
    # … and any number of terms with their own goals ([[terms]]).
    terms: list[TermGoalsConfig] = Field(default_factory=list)
    units: list[UnitConfig] = Field(min_length=1)
    deviation: DeviationConfig = Field(default_factory=DeviationConfig)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    documents: DocumentsConfig = Field(default_factory=DocumentsConfig)
    allocation: AllocationConfig = Field(default_factory=AllocationConfig)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    internal_control: InternalControlConfig = Field(default_factory=InternalControlConfig)
    accounts: AccountsConfig = Field(default_factory=AccountsConfig)
    group: GroupConfig = Field(default_factory=GroupConfig)
    portal: PortalConfig = Field(default_factory=PortalConfig)
    plausibility: PlausibilityConfig = Field(default_factory=PlausibilityConfig)
    kolada: KoladaConfig = Field(default_factory=KoladaConfig)
    governing_documents: GoverningDocumentsConfig = Field(default_factory=GoverningDocumentsConfig)

    def goal_terms(self) -> list[tuple[str, TermGoalsConfig]]:
        """Every term with its goals, with the path its fields are named by in messages.

        The top-level term first (path ""), then each ``[[terms]]`` (``terms[0].`` …).
        """
        found: list[tuple[str, TermGoalsConfig]] = []
        if self.term is not None and self.strategic_areas:
            top = TermGoalsConfig(
                start_year=self.term.start_year,
                end_year=self.term.end_year,
                political_programme=self.term.political_programme,
                strategic_areas=self.strategic_areas,
                council_goals=self.council_goals,
                unit_goals=self.unit_goals,
            )
            found.append(("", top))
        found.extend((f"terms[{i}].", t) for i, t in enumerate(self.terms))
        return found

    def term_years(self) -> list[TermYears]:
        """The terms the file has goals for, earliest first."""
        return sorted(t.years for _, t in self.goal_terms())

    def _term_problems(self, units: dict[str, UnitConfig]) -> list[str]:
        problems: list[str] = []
        top_goals = bool(self.strategic_areas or self.council_goals or self.unit_goals)
        if self.term is None and top_goals:
            problems.append(
                "term: saknas men måste anges när strategic_areas, council_goals eller "
                "unit_goals står överst i filen (eller flytta dem till en [[terms]])"
            )
        if self.term is not None and not self.strategic_areas:
            problems.append(
                f"strategic_areas: mandatperioden {years_of(self.term)} i [term] behöver "
                "minst ett strategiskt område"
            )
        if self.term is None and not self.terms:
            problems.append(
                "terms: ingen mandatperiod har mål: ange [term] med strategic_areas, "
                "council_goals och unit_goals, eller en [[terms]] per mandatperiod"
            )
        listed = self.goal_terms()
        for i, j in overlaps(t for _, t in listed):
            (first, earlier), (second, later) = listed[i], listed[j]
            problems.append(
                f"{second.rstrip('.') or 'term'}: mandatperioden {later.years} överlappar "
                f"{first.rstrip('.') or 'term'} ({earlier.years}); varje mandatperiod "
                "anges en gång"
            )
        for prefix, term in listed:
            problems.extend(term.problems(prefix, units))
        return problems

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems: list[str] = []
        unit_keys = [u.key for u in self.units]
        units = {u.key: u for u in self.units}
        for dup in _duplicates(unit_keys):
            problems.append(f"units: nyckeln ”{dup}” förekommer mer än en gång")
        problems.extend(self._term_problems(units))
        for i, unit in enumerate(self.units):
            if unit.parent is not None and unit.parent not in units:
                problems.append(f"units[{i}].parent: okänd enhet ”{unit.parent}”")
            if unit.kind in ("committee", "executive_board", "company") and not any(
                c.role == "secretary" for c in unit.contacts
            ):
                problems.append(
                    f'units[{i}].contacts: {unit.name} saknar en kontakt med role = "secretary" '
                    "(nämndsekreteraren eller bolagets kontakt får begäran om underlag)"
                )
        kinds: Counter[str] = Counter(u.kind for u in self.units)
        for kind, label in (
            ("council", "kommunfullmäktige"),
            ("executive_board", "kommunstyrelse"),
        ):
            if kinds[kind] != 1:
                problems.append(f'units: exakt en enhet med kind = "{kind}" ({label}) behövs')
        for code, key in self.accounts.responsibility.items():
            if key not in units:
                problems.append(f"accounts.responsibility: ansvar ”{code}” har okänd enhet ”{key}”")
            elif units[key].kind not in ("committee", "executive_board"):
                problems.append(
                    f"accounts.responsibility: ansvar ”{code}” hör till ”{key}”, som inte är "
                    "en nämnd eller kommunstyrelsen"
                )
        for key in self.accounts.companies:
            if key not in units or units[key].kind not in ("company", "federation"):
                problems.append(f"accounts.companies: ”{key}” är inget bolag eller kommunalförbund")
        for i, unit in enumerate(self.units):
            if unit.chart is not None and unit.kind not in ("company", "federation"):
                problems.append(f"units[{i}].chart: kontoplan anges bara för bolag och förbund")
        for key in self.allocation.wage_share_percent:
            if key not in units:
                problems.append(f"allocation.wage_share_percent: okänd enhet ”{key}”")
        rules: list[DemographyRule | VolumeCost] = [
            *self.allocation.demography,
            *self.allocation.volumes,
        ]
        for i, rule in enumerate(rules):
            if rule.unit not in units:
                problems.append(f"allocation: regel {i + 1} har okänd enhet ”{rule.unit}”")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _governing_documents(self) -> Self:
        problems = self.governing_documents.problems({u.key: u for u in self.units})
        if problems:
            raise ValueError("\n".join(problems))
        return self
