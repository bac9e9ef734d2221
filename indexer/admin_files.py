"""Files an admin writes (officials.json, synonyms.json): read with errors that name the file
and the place, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def json_list(text: str, source: str, key: str, example: str,
              error: type[ValueError]) -> list[Any]:
    """The list under `key` of a JSON object, or `error` saying what is wrong and where."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(f"{source}: not valid JSON (line {problem.lineno}, column "
                    f"{problem.colno}: {problem.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        article = "an" if key[:1] in "aeiou" else "a"
        raise error(f'{source}: expected an object with {article} "{key}" list, e.g. {example}')
    return data[key]


class WatchedFile:
    """Tells, cheaply (one stat), when a file that may be edited at any time has changed."""

    def __init__(self) -> None:
        self._seen: tuple[object, ...] | None = None

    def changed(self, path: Path | None) -> tuple[bool, Path | None]:
        """(whether it changed since the last call, the path if the file exists)."""
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            stat = None
        signature = (path, stat.st_mtime_ns, stat.st_size) if stat else (path,)
        changed, self._seen = signature != self._seen, signature
        return changed, path if stat else None

    def forget(self) -> None:
        """Tell the next call that the file changed, whatever it finds."""
        self._seen = None
