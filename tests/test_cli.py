"""Every command answers --help in Swedish; --version works."""

import click
from click.testing import CliRunner

from kb import __version__
from kb.cli import cli


def walk(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), [*path, name])


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"kb {__version__}"


def test_every_command_has_swedish_help():
    runner = CliRunner()
    paths = list(walk(cli, []))
    assert len(paths) >= 15
    for path, command in paths:
        result = runner.invoke(cli, [*path, "--help"], prog_name="kb")
        assert result.exit_code == 0, (path, result.output)
        assert result.output.startswith("Användning: kb"), path
        assert "Visa den här hjälptexten och avsluta." in result.output, path
        assert command.help, f"{path} has no help text"
        assert "Show this message" not in result.output and "Options:" not in result.output, path
