"""The one exception type a user ever sees.

Everything that goes wrong because of what a user gave us (a config file, an
import, a form, a command-line argument) raises :class:`ArshjulError` with a
Swedish message that names what is wrong and where. The CLI catches it at its
edge and turns it into that message and an exit code; nothing else is caught
there, so a bug still shows its traceback.
"""


class ArshjulError(Exception):
    """A problem the user can fix; ``str(error)`` is the Swedish message."""

    exit_code: int = 2

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  – {d}" for d in self.details)


class ConfigError(ArshjulError):
    """A municipality configuration file that does not validate."""


class NotFoundError(ArshjulError):
    """Something the user named does not exist (a municipality, a stage, a unit)."""

    exit_code = 3
