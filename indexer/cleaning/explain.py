"""What the cleaner decided on a page, block by block, for `csto-index extract --explain`."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

from indexer.cleaning.structure import BlockRole

PREVIEW_LINES = 2


@dataclass(frozen=True)
class Explanation:
    source: str
    blocks: tuple[str, ...]
    roles: tuple[BlockRole, ...]
    title: str | None
    date: date | None
    people: tuple[str, ...]

    def render(self, width: int = 100) -> str:
        width = max(width, 60)
        lines = [f"== {self.source}",
                 f"   title:  {self.title or '(none)'}",
                 f"   date:   {self.date.isoformat() if self.date else '(none)'}",
                 f"   people: {', '.join(self.people) or '(none)'}"]
        for number, (block, role) in enumerate(zip(self.blocks, self.roles, strict=True), 1):
            lines.append(f"{number:>4} {role.role.value.upper():<10} {role.reason}")
            preview = textwrap.wrap(block, width - 16, max_lines=PREVIEW_LINES,
                                    placeholder=" …")
            lines += [" " * 16 + line for line in preview]
        return "\n".join(lines) + "\n"
