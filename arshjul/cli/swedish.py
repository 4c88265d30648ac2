"""Typer's and Click's own words in Swedish: usage errors and the help pages.

Typer (0.29) carries its own copy of Click (``typer._click``) whose messages are
English f-strings, not gettext calls, so no translation catalogue reaches them.
Two of Click's hooks do instead:

* the help pages are written by :class:`SwedishFormatter` (a context's
  ``formatter_class``): ``Användning:``, the headings, ``[krävs]``, the value types;
* a usage error is caught in :meth:`SwedishGroup.main` and told by
  :func:`usage_message` from the exception's own fields (which option, which
  value, why pydantic refused it); only the few errors that carry nothing but
  their text are recognised by that text. The exit code stays 2.

:class:`SwedishTyper` puts both on the app and on every command registered on it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from difflib import get_close_matches
from typing import IO, Any

import typer
from typer._click.core import Command, Context
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    ClickException,
    FileError,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

USAGE = "Användning: "
OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."
HELP_HINT = "Mer hjälp: {command} {option}"

_HEADINGS = {"Arguments": "Argument", "Options": "Flaggor", "Commands": "Kommandon"}
_HELP_OPTION = {"Show this message and exit.": "Visa den här hjälpen och avsluta."}
# The value types Typer shows after an option in the help (``--year <int>``).
_TYPES = {
    "<str>": "<text>",
    "<int>": "<heltal>",
    "<int range>": "<heltal>",
    "<float>": "<tal>",
    "<float range>": "<tal>",
    "<path>": "<sökväg>",
    "<file>": "<fil>",
    "<dir>": "<mapp>",
    "<list[str]>": "<text>",
}
_EXTRA = re.compile(r"\s*\[(?P<parts>[^\[\]]*)\]$")


def _help_extra(part: str) -> str:
    """One part of the bracket after an option's help: ``required``, ``default: 2027``."""
    if part == "required":
        return "krävs"
    for english, swedish in (("default: ", "standard: "), ("env var: ", "miljövariabel: ")):
        if part.startswith(english):
            return swedish + part.removeprefix(english)
    return part


def _help_text(text: str) -> str:
    text = _HELP_OPTION.get(text, text)
    match = _EXTRA.search(text)
    if match is None:
        return text
    parts = "; ".join(_help_extra(p) for p in match["parts"].split("; "))
    return text[: match.start("parts")] + parts + "]"


def _term(term: str) -> str:
    for english, swedish in _TYPES.items():
        if term.endswith(" " + english):
            return term.removesuffix(english) + swedish
    return term


class SwedishFormatter(HelpFormatter):
    """Click's help formatter with Swedish headings, usage prefix and option details."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl([(_term(t), _help_text(h)) for t, h in rows], col_max, col_spacing)


class SwedishContext(typer.Context):
    formatter_class = SwedishFormatter


class SwedishUsageError(UsageError):
    """A usage error whose message is already Swedish."""


def _usage_pieces(pieces: list[str]) -> list[str]:
    # Typer writes a required argument as {SKEDE}; the README and the usual convention: SKEDE.
    return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


class SwedishCommand(TyperCommand):
    context_class = SwedishContext

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return _usage_pieces(super().collect_usage_pieces(ctx))


class SwedishGroup(TyperGroup):
    """The app's group: Swedish help, and every usage error told in Swedish."""

    context_class = SwedishContext

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return _usage_pieces(super().collect_usage_pieces(ctx))

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        name = args[0] if args else ""
        if (
            name
            and not name.startswith("-")
            and self.get_command(ctx, name) is None
            and not ctx.resilient_parsing
        ):
            near = get_close_matches(name, self.list_commands(ctx))
            guess = f" Menade du {_either(near)}?" if near else ""
            raise SwedishUsageError(f"Det finns inget kommando ”{name}”.{guess}", ctx)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's standalone mode, with Swedish messages for what the user typed wrong."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            # Not standalone: errors come back here instead of being shown in English.
            # An Exit (--help, typer.Exit(code)) comes back as its code; a command
            # returns None (none of ours returns a value).
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except ClickException as error:
            show_error(error)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("Avbrutet.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class SwedishTyper(typer.Typer):
    """A Typer app whose group and commands speak Swedish (see the module's text)."""

    def __init__(self, *, name: str, help: str) -> None:
        super().__init__(
            name=name,
            help=help,
            cls=SwedishGroup,
            no_args_is_help=True,
            add_completion=False,
            rich_markup_mode=None,
            pretty_exceptions_enable=False,
            options_metavar=OPTIONS_METAVAR,
            subcommand_metavar=SUBCOMMAND_METAVAR,
        )

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or SwedishCommand, **kwargs)


# --------------------------------------------------------------------------- usage errors
def _either(names: Sequence[str]) -> str:
    quoted = [f"”{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " eller " + quoted[-1]


def _param_name(param: Any, hint: Any = None) -> str:
    """How the user typed (or should type) a parameter: ``--year``, ``SKEDE``."""
    if param is None:
        if isinstance(hint, str):
            return hint.strip("'")
        return " / ".join(str(h) for h in hint or ())
    if param.param_type_name == "option":
        return " / ".join(param.opts)
    return str(param.metavar or param.name or "").upper()


def _what(param: Any) -> str:
    return "Flaggan" if param is not None and param.param_type_name == "option" else "Argumentet"


def _param_help(param: Any) -> str:
    text = " ".join(str(getattr(param, "help", None) or "").split()).rstrip(".")
    return f": {text}" if text else ""


def _shown(value: Any) -> str:
    return f"”{value}”"


def _pydantic_reason(cause: Any) -> str | None:
    """Why pydantic refused the value Typer handed it, in Swedish."""
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        error = errors()[0]
    except (IndexError, TypeError):
        return None
    kind, value, limits = error.get("type", ""), error.get("input"), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_shown(value)} är inget heltal"
    if kind in ("float_parsing", "float_type"):
        return f"{_shown(value)} är inget tal"
    if kind == "greater_than_equal":
        return f"{_shown(value)} är för litet (minst {limits.get('ge')})"
    if kind == "greater_than":
        return f"{_shown(value)} är för litet (måste vara större än {limits.get('gt')})"
    if kind == "less_than_equal":
        return f"{_shown(value)} är för stort (högst {limits.get('le')})"
    if kind == "less_than":
        return f"{_shown(value)} är för stort (måste vara mindre än {limits.get('lt')})"
    if kind in ("bool_parsing", "bool_type"):
        return f"{_shown(value)} är varken ja eller nej"
    return f"{_shown(value)} godtas inte"


_PATH = re.compile(
    r"^(?:file|dir|directory|path) '(?P<path>.*)' (?P<why>does not exist|is a file|"
    r"is a directory|is not readable|is not writable)\.$"
)
_PATH_WHY = {
    "does not exist": "finns inte",
    "is a file": "är en fil, inte en mapp",
    "is a directory": "är en mapp, inte en fil",
    "is not readable": "går inte att läsa",
    "is not writable": "går inte att skriva till",
}
_CHOICE = re.compile(r"^(?P<value>.*) is not one of (?P<choices>.*)\.$")


def _bad_value_reason(error: BadParameter) -> str:
    reason = _pydantic_reason(error.__cause__)
    if reason is not None:
        return reason
    if match := _PATH.match(error.message):
        return f"{_shown(match['path'])} {_PATH_WHY[match['why']]}"
    if match := _CHOICE.match(error.message):
        return f"{match['value']} är inget av {match['choices']}"
    return error.message


_EXTRA_ARGS = re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)$")
_NEEDS_VALUE = re.compile(r"^Option '.*' requires (?:an argument|(?P<n>\d+) arguments)\.$")
_TAKES_NO_VALUE = re.compile(r"^Option '.*' does not take a value\.$")


def usage_message(error: ClickException) -> str:
    """What went wrong, in Swedish, naming the option or argument as the user types it."""
    if isinstance(error, SwedishUsageError):
        return error.message
    if isinstance(error, MissingParameter):
        param = error.param
        name = _param_name(param, error.param_hint)
        return f"{_what(param)} {name} saknas{_param_help(param)}."
    if isinstance(error, BadParameter):
        name = _param_name(error.param, error.param_hint)
        return f"Ogiltigt värde för {name}: {_bad_value_reason(error)}."
    if isinstance(error, NoSuchOption):
        guess = f" Menade du {_either(sorted(error.possibilities))}?" if error.possibilities else ""
        return f"Okänd flagga: {error.option_name}.{guess}"
    if isinstance(error, BadOptionUsage):
        if match := _NEEDS_VALUE.match(error.message):
            values = "ett värde" if match["n"] is None else f"{match['n']} värden"
            return f"Flaggan {error.option_name} behöver {values}."
        if _TAKES_NO_VALUE.match(error.message):
            return f"Flaggan {error.option_name} tar inget värde."
        return f"Flaggan {error.option_name} används fel: {error.message}"
    if isinstance(error, FileError):
        return f"Filen {_shown(error.ui_filename)} kunde inte öppnas: {error.message}."
    if match := _EXTRA_ARGS.match(error.message):
        extra = match["args"]
        many = " " in extra
        return f"{'Oväntade argument' if many else 'Oväntat argument'}: {extra}."
    if error.message == "Missing command.":
        return "Ange ett kommando."
    return error.format_message()


def show_error(error: ClickException, file: IO[str] | None = None) -> None:
    """Show a Click error as Click would, in Swedish: usage, where help is, the message."""
    out = file or sys.stderr
    if isinstance(error, NoArgsIsHelpError):
        error.show(out)  # the help page itself, already Swedish (SwedishFormatter)
        return
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        typer.echo(ctx.get_usage(), file=out)
        help_option = ctx.command.get_help_option(ctx)
        if help_option is not None:
            hint = HELP_HINT.format(command=ctx.command_path, option=ctx.help_option_names[0])
            typer.echo(hint, file=out)
        typer.echo("", file=out)
    typer.echo(f"Fel: {usage_message(error)}", file=out)
