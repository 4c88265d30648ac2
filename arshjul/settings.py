"""One settings object for the whole engine, read from ``ARSHJUL_*`` variables.

With nothing set, everything runs on embedded defaults in the working folder:
a SQLite file, e-mail written as ``.eml`` files, documents in ``utdata/``.
Unsafe combinations fail at start-up, not at the first e-mail.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from arshjul.errors import ArshjulError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _is_loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def portal_url_problem(url: str) -> str | None:
    """Why ``url`` cannot begin the links in e-mails (Swedish), or None when it can.

    Shared by ``ARSHJUL_PORTAL_URL`` and ``[portal] url`` in a municipality's file.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is no number raises here)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"”{url}” är ingen webbadress: skriv webbsidans adress som webbläsaren visar den, "
            "t.ex. https://arshjul.kommun.se"
        )
    if parts.query or parts.fragment or "@" in parts.netloc:
        return f"”{url}” ska bara vara webbsidans adress, utan ?, # eller inloggning"
    return None


def is_local_url(url: str) -> bool:
    """True for an address only this machine reaches: 127.0.0.1, localhost, ::1 (and 0.0.0.0).

    A link to it in an e-mail opens nothing on the recipient's computer.
    """
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host.endswith(".localhost"):
        return True
    try:
        if ipaddress.ip_address(host).is_unspecified:
            return True
    except ValueError:
        pass
    return _is_loopback(host)


class Settings(BaseSettings):
    """The environment variables of DESIGN.md, with their embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="ARSHJUL_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///arshjul.db",
        description="SQLAlchemy URL; a SQLite file in the working folder by default.",
    )
    smtp_host: str | None = Field(default=None, description="Unset: write .eml files.")
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    mail_dir: Path = Field(default=Path("e-post"), description="Where .eml files go.")
    portal_url: str | None = Field(
        default=None,
        description=(
            "The base of the links in e-mails, overriding [portal] url of every municipality's "
            "configuration; unset: that url, or http://127.0.0.1:8000 "
            "(arshjul.mail.address, the one place every link's address comes from)."
        ),
    )
    output_dir: Path = Field(default=Path("utdata"), description="Where documents go.")
    staff_user: str = Field(
        default="personal", description="The user name of the portal's staff pages."
    )
    staff_password: SecretStr | None = Field(
        default=None,
        description=(
            "The password of the portal's staff pages (/personal/: the generated documents, "
            "HTTP basic auth). Unset: those pages are closed."
        ),
    )
    config_file: Path | None = Field(
        default=None, description="Municipality TOML; the shipped Arboga file when unset."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Derives the personal links in e-mails. Unset on SQLite: a key is made once "
            "and kept in a file beside the database; required on PostgreSQL."
        ),
    )
    max_attachment_bytes: int = 10 * 1024 * 1024
    trusted_proxies: str = Field(
        default="",
        description=(
            "The reverse proxies in front of the portal, whose X-Forwarded-For is believed: "
            "addresses or networks, comma-separated (10.0.0.5, 10.0.0.0/24, ::1). None by "
            "default: any client can write that header, so it is ignored unless the "
            "connection comes from one of these."
        ),
    )
    # A fresh ephemeral Prefect server needs 20–25 s to migrate (PREFECT.md).
    prefect_startup_timeout_seconds: int = 120
    pdf: bool = Field(
        default=True,
        description=(
            "A tagged PDF beside each Word document when LibreOffice is installed; "
            "0 turns it off (each PDF costs LibreOffice 2–4 s)."
        ),
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Self:
        plain = self.smtp_host and self.smtp_password and not self.smtp_starttls
        if plain and not _is_loopback(self.smtp_host or ""):
            raise ValueError(
                "ARSHJUL_SMTP_PASSWORD skulle skickas okrypterat till "
                f"{self.smtp_host}: sätt ARSHJUL_SMTP_STARTTLS=true"
            )
        if self.smtp_password and not self.smtp_username:
            raise ValueError("ARSHJUL_SMTP_PASSWORD är satt men inte ARSHJUL_SMTP_USERNAME")
        if self.database_url.startswith("postgresql") and self.secret_key is None:
            raise ValueError(
                "ARSHJUL_SECRET_KEY måste sättas i produktion (PostgreSQL): "
                "den skyddar de personliga länkarna i e-posten"
            )
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("ARSHJUL_SECRET_KEY måste vara minst 32 tecken lång")
        self.trusted_proxy_networks()  # a typing mistake stops the start, not a post
        if self.portal_url is not None:
            # Set but empty (ARSHJUL_PORTAL_URL= in a unit file) is unset.
            self.portal_url = self.portal_url.strip().rstrip("/") or None
        if self.portal_url is not None:
            problem = portal_url_problem(self.portal_url)
            if problem:
                raise ValueError(f"ARSHJUL_PORTAL_URL: {problem}")
        return self

    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        """``trusted_proxies`` as networks (a bare address is a network of one)."""
        networks: list[IPNetwork] = []
        for item in self.trusted_proxies.replace(";", ",").split(","):
            item = item.strip()
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"ARSHJUL_TRUSTED_PROXIES: ”{item}” är varken en IP-adress eller ett nät "
                    "(skriv t.ex. 10.0.0.5 eller 10.0.0.0/24, flera med komma emellan)"
                ) from None
        return tuple(networks)

    @property
    def mail_to_files(self) -> bool:
        return not self.smtp_host

    def link_key(self) -> bytes:
        """The key for the personal links: the setting, or the local key file on SQLite.

        Never made here: ``arshjul init`` makes it and records its fingerprint, and every
        command checks it (lifecycle.tokens.ensure_link_key). A worker that found no file
        and quietly made a new one would break every link already sent.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.key_file
        try:
            key = path.read_bytes().strip()
        except FileNotFoundError:
            key = b""
        if not key:
            raise ArshjulError(
                f"Nyckeln till de personliga länkarna saknas: {path}. Kör arshjul init på en "
                "ny installation, eller lägg tillbaka nyckelfilen från en säkerhetskopia."
            )
        return key

    @property
    def key_file(self) -> Path:
        """Where the embedded key lives: beside the SQLite file."""
        url = self.database_url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            return Path(url.removeprefix("sqlite:///")).parent / ".arshjul-nyckel"
        return Path(".arshjul-nyckel")


@lru_cache
def get_settings() -> Settings:
    """The process's settings; a bad variable is an :class:`ArshjulError`."""
    try:
        return Settings()
    except ValidationError as exc:
        details = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            name = f"ARSHJUL_{loc.upper()}" if loc else "inställningarna"
            details.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise ArshjulError("Felaktiga inställningar i miljövariablerna:", details=details) from exc
