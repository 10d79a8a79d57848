"""Prompts are files (prompts/<name>.md), loaded by name through one Jinja2 environment.

autoescape is off (a prompt is not HTML) but StrictUndefined is on: a missing variable is an
error, never an empty string in front of the model. A prompt file holds a system part and a user
part, separated by a line `=== user ===` (the part before it is the system message).

Untrusted text (retrieved passages, the principal's input) goes through the `data` filter, which
neutralises the block delimiters so that a document cannot close its data block and speak as
instructions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from kvalitet.errors import ConfigError

USER_MARKER = re.compile(r"^=== user ===[ \t]*$", re.MULTILINE)
_NAME = re.compile(r"^[a-z0-9_]+$")
# Block delimiters used in the prompts (<<<…>>> and ===) are neutralised inside data, and so
# are their look-alikes, which a model reads the same way: fullwidth and small forms (＜ ﹤ ＝),
# angle brackets (〈 ⟨ ˂ ᐸ), much-less-than (≪), guillemets; a run of three, spaces between
# allowed, becomes ‹‹‹ / ››› / ———. Zero-width and other invisible format characters are dropped
# first, so that they cannot split a run.
_LT = "<\uff1c\ufe64\u2329\u3008\u27e8\u02c2\u1438\u2039\u226a\u00ab\u276e\u276c\u29fc"
_GT = ">\uff1e\ufe65\u232a\u3009\u27e9\u02c3\u1433\u203a\u226b\u00bb\u276f\u276d\u29fd"
_EQ = "=\uff1d\ufe66\u2550\u30a0\ua78a\u1400\u2e40\u2261"
_RUN = "[{0}](?:[ \\t]?[{0}]){{2,}}"
_DELIMS = re.compile("|".join(f"(?P<{name}>{_RUN.format(chars)})"
                              for name, chars in (("lt", _LT), ("gt", _GT), ("eq", _EQ))))
_REPLACEMENT = {"lt": "‹‹‹", "gt": "›››", "eq": "———"}


def data(value: object) -> str:
    """Text given to the model as material: delimiters and their look-alikes defused, control
    and invisible format characters (zero-width spaces, bidi marks) dropped."""
    import unicodedata

    text = "" if value is None else str(value)
    text = "".join(ch for ch in text
                   if ch in "\n\t" or (ch >= " " and unicodedata.category(ch) not in ("Cc", "Cf")))
    return _DELIMS.sub(lambda m: _REPLACEMENT[m.lastgroup or ""], text)  # every alternative is named


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str  # "<name>@<sha1 of the file and the shared parts, 8 hex>"
    system: str
    user: str

    def messages(self) -> list[dict]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


class Prompts:
    """The prompt library over one directory."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.env = Environment(
            loader=FileSystemLoader(str(self.directory)),
            autoescape=False,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["data"] = data

    def version(self, name: str) -> str:
        """Changes whenever the prompt or one of the shared parts (_*.md) it may include changes."""
        h = hashlib.sha1((self.directory / f"{name}.md").read_bytes())
        for part in sorted(self.directory.glob("_*.md")):
            h.update(part.name.encode() + b"\0" + part.read_bytes())
        return f"{name}@{h.hexdigest()[:8]}"

    def render(self, name: str, **context) -> Prompt:
        if not _NAME.match(name):
            raise ConfigError(f"Ogiltigt promptnamn {name!r} / invalid prompt name")
        try:
            template = self.env.get_template(f"{name}.md")
        except TemplateNotFound as exc:
            raise ConfigError(
                f"Prompten {name!r} saknas i {self.directory} / the prompt file {name}.md is missing"
            ) from exc
        text = template.render(**context)
        parts = USER_MARKER.split(text, maxsplit=1)
        if len(parts) != 2:
            raise ConfigError(f"Prompten {name!r} saknar raden '=== user ===' / has no user part")
        return Prompt(name=name, version=self.version(name), system=parts[0].strip(), user=parts[1].strip())


@lru_cache(maxsize=8)
def prompts_for(directory: str) -> Prompts:
    return Prompts(Path(directory))


def get_prompts(settings) -> Prompts:
    return prompts_for(str(settings.prompts_dir))
