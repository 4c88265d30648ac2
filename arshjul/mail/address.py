"""The portal's address at the start of every link in an e-mail: one rule, every process.

A link used to begin with whatever ``ARSHJUL_PORTAL_URL`` said in the process
that happened to deliver the mail: a receipt sent by a stage run could point to
``http://127.0.0.1:8000`` while the portal announced another address. Now every
process that delivers mail (a stage run, the watch, the portal's receipts,
``arshjul nyckel ny``) and the portal itself (the origin it takes posts from)
take the address from :func:`portal_address`:

1. ``ARSHJUL_PORTAL_URL``, when set: for the whole installation;
2. else ``[portal] url`` in the municipality's configuration, as ``arshjul init``
   stored it in the database: the one place every process reads (a worker on
   another machine has the database, not necessarily the file);
3. else :data:`DEFAULT_PORTAL_URL`, for trying Årshjul on one machine.

An address only this machine reaches (127.0.0.1, localhost, ::1) is refused
(:func:`refuse_local_links`) as soon as the mail would go to real people, that
is, an SMTP server is set: their links would open nothing. Writing ``.eml``
files (the demo, the tests, a first try) allows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from arshjul.config.schema import MunicipalityConfig
from arshjul.config.stored import stored_config
from arshjul.errors import ArshjulError
from arshjul.models.base import core_table
from arshjul.models.organisation import Municipality
from arshjul.settings import Settings, is_local_url

DEFAULT_PORTAL_URL = "http://127.0.0.1:8000"
ENVIRONMENT = "ARSHJUL_PORTAL_URL"
CONFIG_KEY = "url under [portal]"

MUNICIPALITIES = core_table(Municipality)


class LocalPortalAddress(ArshjulError):
    """Mail to real recipients with links to an address only this machine reaches."""


@dataclass(frozen=True)
class PortalAddress:
    """Where the links of one municipality's e-mails begin, and which setting said so.

    ``source``: ``"environment"`` (ARSHJUL_PORTAL_URL), ``"config"`` ([portal] url)
    or ``"default"``; ``config_file``: the TOML file the configuration was loaded
    from, to name in a message.
    """

    url: str
    source: str
    municipality: str = ""
    config_file: str = ""

    @property
    def local(self) -> bool:
        """Only this machine reaches it (127.0.0.1, localhost, ::1)."""
        return is_local_url(self.url)

    def setting(self) -> str:
        """The setting that gave the address, as a sentence names it (Swedish)."""
        if self.source == "environment":
            return ENVIRONMENT
        where = f" i {self.config_file}" if self.config_file else " i kommunens konfigurationsfil"
        if self.source == "config":
            return f"{CONFIG_KEY}{where}"
        return f"standardvärdet (varken {ENVIRONMENT} eller {CONFIG_KEY}{where} är satt)"

    def how_to_change(self) -> str:
        """What to do to give it a real address (Swedish, one sentence)."""
        example = "https://arshjul.kommun.se"
        if self.source == "environment":
            return (
                f"Sätt {ENVIRONMENT} till webbsidans riktiga adress, som webbläsaren ser den "
                f"(t.ex. {example})."
            )
        where = f" i {self.config_file}" if self.config_file else " i kommunens konfigurationsfil"
        return (
            f'Skriv webbsidans riktiga adress som url under [portal]{where} (url = "{example}") '
            f"och kör arshjul init, eller sätt {ENVIRONMENT}."
        )


def portal_address(
    settings: Settings,
    config: MunicipalityConfig | None,
    *,
    municipality: str = "",
    config_file: str = "",
) -> PortalAddress:
    """The address for a municipality's links: the environment, its configuration, the default."""
    if settings.portal_url:
        return PortalAddress(settings.portal_url, "environment", municipality, config_file)
    if config is not None and config.portal.url:
        return PortalAddress(config.portal.url, "config", municipality, config_file)
    return PortalAddress(DEFAULT_PORTAL_URL, "default", municipality, config_file)


def _config_of(row: Any) -> MunicipalityConfig | None:
    # A row loaded without a file (some tests) has no configuration: the defaults hold.
    return stored_config(row.id, row.config_digest, row.config) if row.config else None


def addresses(
    connection: Connection, settings: Settings, municipality_ids: Iterable[int] | None = None
) -> dict[int, PortalAddress]:
    """Each municipality's :class:`PortalAddress` (all of them, or those of ``municipality_ids``).

    Read in the caller's transaction; a configuration changed by ``arshjul init``
    counts from the next read.
    """
    statement = select(
        MUNICIPALITIES.c.id,
        MUNICIPALITIES.c.name,
        MUNICIPALITIES.c.config,
        MUNICIPALITIES.c.config_digest,
        MUNICIPALITIES.c.config_source,
    )
    if municipality_ids is not None:
        wanted = sorted(set(municipality_ids))
        if not wanted:
            return {}
        statement = statement.where(MUNICIPALITIES.c.id.in_(wanted))
    found = {}
    for row in connection.execute(statement):
        found[row.id] = portal_address(
            settings,
            _config_of(row) if not settings.portal_url else None,
            municipality=row.name,
            config_file=row.config_source or "",
        )
    return found


def installation_addresses(engine: Engine, settings: Settings) -> list[PortalAddress]:
    """Every address the installation's links begin with (one when none is loaded yet).

    The portal takes posts from these, and announces them when it starts.
    """
    try:
        with engine.connect() as connection:
            found = list(addresses(connection, settings).values())
    except SQLAlchemyError:  # no tables yet: `arshjul init` has not run
        found = []
    if settings.portal_url or not found:
        return [portal_address(settings, None)]
    # One per distinct address, in the order of the municipalities.
    return list({address.url: address for address in found}.values())


def refuse_local_links(settings: Settings, found: Iterable[PortalAddress]) -> None:
    """Raise :class:`LocalPortalAddress` if mail to real recipients would carry a local link.

    Real recipients: an SMTP server is set (``ARSHJUL_SMTP_HOST``), whatever its
    address: a relay on this machine still delivers to the secretaries. With
    ``.eml`` files nothing leaves the machine, and a local address is allowed.
    """
    if settings.mail_to_files:
        return
    local = [address for address in found if address.local]
    if not local:
        return
    address = local[0]
    whose = f" till {address.municipality}" if address.municipality else ""
    raise LocalPortalAddress(
        f"E-posten skickas inte: länkarna i e-posten{whose} skulle börja med {address.url}, "
        f"en adress som bara fungerar på den här datorn, men e-posten går till riktiga "
        f"mottagare via e-postservern {settings.smtp_host} (ARSHJUL_SMTP_HOST). Adressen "
        f"kommer från {address.setting()}. {address.how_to_change()} "
        "Utan ARSHJUL_SMTP_HOST skrivs e-posten som .eml-filer, och då går en sådan adress bra."
    )
