"""click's own messages in Swedish: a catalogue keyed by click's English gettext message ids.

Usage errors ("Error: Invalid value for ...", "Try 'kb ... --help' for help.", "No such option"),
help chrome and prompts come from click's modules through `gettext`; `swedish_messages()` answers those
calls from this catalogue while a `kb` command runs (kb.core.swedish_click.SwedishCommand.main).
A message missing here stays in English; tests/test_cli.py checks the ones a user meets.
"""

from __future__ import annotations

import contextlib
import gettext
import importlib
from collections.abc import Iterator
from typing import Any

SINGULAR: dict[str, str] = {
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Positional arguments": "Argument",
    "Commands": "Kommandon",
    "Aborted!": "Avbrutet.",
    "Missing command.": "Kommando saknas.",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Missing argument": "Argument saknas:",
    "Missing option": "Flagga saknas:",
    "Missing parameter": "Parameter saknas:",
    "Missing {param_type}": "Saknas ({param_type}):",
    "Missing parameter: {param_name}": "Parameter saknas: {param_name}",
    "No such option {name!r}.": "Flaggan {name!r} finns inte.",
    "No such option: {name}": "Flaggan finns inte: {name}",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "No such command '{name}'.": "Kommandot '{name}' finns inte.",
    "unknown error": "okänt fel",
    "Could not open file {filename!r}: {message}": "Kunde inte öppna filen {filename!r}: {message}",
    "Value must be an iterable.": "Värdet ska vara en följd av värden.",
    "env var: {var}": "miljövariabel: {var}",
    "default: {default}": "standard: {default}",
    "(dynamic)": "(beräknas)",
    "required": "obligatorisk",
    "deprecated": "utfasad",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "Show this message and exit.": "Visa den här hjälptexten och avsluta.",
    "Do you want to continue?": "Vill du fortsätta?",
    "Confirm the action without prompting.": "Bekräfta utan att fråga.",
    "Invalid start character for option ({option})": "Ogiltigt första tecken i flaggan ({option})",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "Press any key to continue...": "Tryck på en tangent för att fortsätta ...",
    "Repeat for confirmation": "Upprepa för att bekräfta",
    "Error: The two entered values do not match.": "Fel: de två värdena är olika.",
    "Error: invalid input": "Fel: ogiltig inmatning",
    "file": "filen",
    "directory": "mappen",
    "path": "sökvägen",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} ligger utanför intervallet {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är inget giltigt sanningsvärde. Giltiga värden: {states}",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett giltigt {number_type}.",
    "{value!r} is not a valid UUID.": "{value!r} är inget giltigt UUID.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
}

PLURAL: dict[tuple[str, str], tuple[str, str]] = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Menade du {possibility}?", "(Menade du någon av: {possibilities}?)"),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Oväntat extra argument ({args})", "Oväntade extra argument ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Tar {nargs} värden men fick 1.", "Tar {nargs} värden men fick {len}."),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Flaggan {name!r} kräver ett värde.", "Flaggan {name!r} kräver {nargs} värden."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} är inte {choice}.", "{value!r} är inte något av {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} följer inte formatet {format}.", "{value!r} följer inte något av formaten {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} värden krävs men {len_value} gavs.", "{len_type} värden krävs men {len_value} gavs."),
}

# Words click puts into a message as arguments, some fixed before a command runs (a Path type's name
# "file" is set when the command is defined): translated when the Swedish template is formatted.
TERMS: dict[str, str] = {
    "integer": "heltal",
    "integer range": "heltal",
    "float": "decimaltal",
    "float range": "decimaltal",
    "File": "Filen",
    "Directory": "Mappen",
    "Path": "Sökvägen",
    "argument": "argument",
    "option": "flagga",
    "parameter": "parameter",
}

CLICK_MODULES = (
    "click.core", "click.exceptions", "click.types", "click.parser", "click.decorators",
    "click.formatting", "click.termui", "click.utils", "click._termui_impl",
)


class SwedishTemplate(str):
    """A translated message template whose format() also translates the words click passes in."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        kwargs = {k: TERMS.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
        return str.format(self, *args, **kwargs)


def swedish_gettext(message: str) -> str:
    """click's `_()`: the Swedish message, or the English one when the catalogue lacks it."""
    found = SINGULAR.get(message)
    return SwedishTemplate(found) if found is not None else message


def swedish_ngettext(singular: str, plural: str, n: int) -> str:
    """click's `ngettext()` from the catalogue."""
    found = PLURAL.get((singular, plural))
    if found is None:
        return singular if n == 1 else plural
    return SwedishTemplate(found[0] if n == 1 else found[1])


@contextlib.contextmanager
def swedish_messages() -> Iterator[None]:
    """While the body runs, click's modules translate their messages with this catalogue."""
    saved = []
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a module a click version does not have
            continue
        for attribute, replacement in (("_", swedish_gettext), ("ngettext", swedish_ngettext)):
            current = getattr(module, attribute, None)
            if current in (gettext.gettext, gettext.ngettext):
                saved.append((module, attribute, current))
                setattr(module, attribute, replacement)
    try:
        yield
    finally:
        for module, attribute, original in saved:
            setattr(module, attribute, original)
