"""The officials' registry: who the archive knows by name, with their other spellings, role
and country. The packaged `data/officials.json` and an admin's own `officials.json` in the
raw folder have one shape; the cleaner reads names with it, the web app shows roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from indexer.admin_files import json_list

REGISTRY_FILE = "officials.json"  # packaged in indexer/data, and an admin's in the raw folder
_PATRONYMIC = re.compile(r"(?:ovich|evich|ich|ovna|evna|ichna)$", re.IGNORECASE)


@dataclass(frozen=True)
class Official:
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    country: str = ""


@lru_cache(maxsize=1 << 16)
def is_patronymic(word: str) -> bool:
    return _PATRONYMIC.search(word) is not None


class RegistryError(ValueError):
    """An officials file that cannot be used; the message names the file and the row."""


def parse_registry(text: str, source: str) -> list[Official]:
    """The officials of a registry file, checked against its documented shape:
    {"officials": [{"name": "Given Surname", "aliases": ["..."], "role": "...",
    "country": "..."}]}, where only the name is required."""
    rows = json_list(text, source, "officials",
                     '{"officials": [{"name": "Stanislav Zas", "aliases": ["S. Zas"]}]}',
                     RegistryError)
    officials = []
    for number, row in enumerate(rows, 1):
        where = f"{source}, row {number}"
        if not isinstance(row, dict):
            raise RegistryError(f"{where}: each official is an object with a name")
        name = row.get("name")
        if not isinstance(name, str) or len(name.split()) < 2:
            raise RegistryError(f"{where}: no name (a given name and a surname)")
        aliases = row.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise RegistryError(f'{where}: "aliases" must be a list of names, e.g. '
                                '["S. Zas", "Stanislav Vladimirovich Zas"]')
        for key in ("role", "country"):
            if not isinstance(row.get(key, ""), str):
                raise RegistryError(f'{where}: "{key}" must be text')
        unknown = set(row) - {"name", "aliases", "role", "country"}
        if unknown:
            raise RegistryError(f"{where}: unknown key {sorted(unknown)[0]!r} (name, aliases, "
                                "role and country are read)")
        officials.append(Official(name.strip(), tuple(a.strip() for a in aliases if a.strip()),
                                  row.get("role", ""), row.get("country", "")))
    return officials


def load_officials(extra_registry: Path | None = None) -> tuple[Official, ...]:
    """The packaged registry, plus an admin's own registry file if given."""
    data = resources.files("indexer.data")
    officials = parse_registry(data.joinpath(REGISTRY_FILE).read_text("utf-8"),
                               f"indexer/data/{REGISTRY_FILE}")
    if extra_registry is not None and extra_registry.is_file():
        try:
            text = extra_registry.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RegistryError(f"{extra_registry}: cannot be read ({error})") from None
        officials += parse_registry(text, str(extra_registry))
    return tuple(officials)


@cache
def default_officials() -> tuple[Official, ...]:
    return load_officials()
