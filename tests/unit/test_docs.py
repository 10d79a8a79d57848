"""The README is the manual: every setting and every CLI command is in it (issue 14)."""

from __future__ import annotations


import typer.main

from kvalitet.cli import app
from kvalitet.settings import Settings
from tests.helpers.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        out.append(full)
        if getattr(cmd, "commands", None):  # a group (typer ships its own click)
            out += _commands(cmd, full + " ")
    return out


def test_every_setting_is_in_the_readme():
    assert len(Settings.model_fields) > 40
    missing = [f"KVALITET_{name.upper()}" for name in Settings.model_fields
               if f"KVALITET_{name.upper()}" not in README]
    assert missing == []


def test_every_cli_command_is_in_the_readme():
    group = typer.main.get_command(app)
    assert len(_commands(group)) > 30  # groups and their subcommands were found
    missing = [c for c in _commands(group) if f"kvalitet {c}" not in README and not _in_a_row(c)]
    assert missing == []


def _in_a_row(command: str) -> bool:
    """`kvalitet reports list|export …` and `… · results show ID` rows name subcommands after the group."""
    group, _, sub = command.rpartition(" ")
    if not group:
        return False
    rows = [line for line in README.splitlines() if f"kvalitet {group}" in line]
    return any(f"|{sub}" in r or f"{sub}|" in r or f" {group} {sub}" in r or f"`{group} {sub}" in r
               or f"· {group} {sub}" in r for r in rows)
