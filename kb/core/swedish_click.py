"""click in Swedish: help pages, usage errors and prompts of every command say it in Swedish.

Every `kb` command and group is a SwedishCommand/SwedishGroup: its help page has Swedish headings, and
while it runs (`main`) click's own messages come from the catalogue in kb.core.click_sv. A new command
inherits both by being created with these classes (the groups create their sub-commands with them).
"""

from __future__ import annotations

import re
from typing import Any

import click

from kb.core.click_sv import swedish_messages

HELP_TEXT = "Visa den här hjälptexten och avsluta."
# click's names for the value an option takes, as shown on help pages ("--db FILE").
METAVARS = {"INTEGER RANGE": "HELTAL", "INTEGER": "HELTAL", "FLOAT RANGE": "DECIMALTAL", "FLOAT": "DECIMALTAL",
            "FILE": "FIL", "DIRECTORY": "MAPP", "PATH": "SÖKVÄG", "TEXT": "TEXT", "BOOLEAN": "JA/NEJ"}
_METAVAR = re.compile(r"(?<=[ =])(" + "|".join(METAVARS) + r")\b")


def _swedish_metavars(option_names: str) -> str:
    return _METAVAR.sub(lambda m: METAVARS[m.group(1)], option_names)


class SwedishCommand(click.Command):
    """A click command whose help page, usage errors and prompts are in Swedish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command with click's messages in Swedish (exit 2 and a Swedish hint on bad usage)."""
        with swedish_messages():
            return super().main(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Användning: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            (_swedish_metavars(r[0]), r[1]) for p in self.get_params(ctx)
            if isinstance(p, click.Option) and (r := p.get_help_record(ctx)) is not None
        ]
        if records:
            with formatter.section("Flaggor"):
                formatter.write_dl(records)


class SwedishGroup(SwedishCommand, click.Group):
    """A click group whose help page and sub-commands are in Swedish."""

    command_class = SwedishCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        SwedishCommand.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Kommandon"):
                formatter.write_dl(rows)


SwedishGroup.group_class = SwedishGroup


class LazyGroup(SwedishGroup):
    """A group whose sub-commands are imported only when used, so quick commands start quickly.

    `lazy` maps a command name to "module:attribute".
    """

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            import importlib

            module_name, attribute = self.lazy[name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, name)
        return super().get_command(ctx, name)
