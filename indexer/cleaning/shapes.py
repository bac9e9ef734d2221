"""The shapes of lines: a heading, a title written as sentences, a news lead.

What a line looks like, read from the line alone; `structure` weighs these shapes against
what the corpus and the rest of the page say.
"""

from __future__ import annotations

import re

from indexer.cleaning.dates import first_sentence, is_date_line

MIN_TITLE_CHARS = 10
MAX_TITLE_CHARS = 400
# A title written as one or two short sentences ("... were summed up. More than 11 tons
# of drugs were seized.") rather than as a heading.
MAX_SENTENCE_TITLE_CHARS = 200
MIN_LEAD_CHARS = 60
TERMINAL = (".", ":", ";", ",", "?", "!", "…")
SENTENCE_END = (".", "?", "!", "…", ".”", '."', ".»", "!”", '!"')
# How a complete text may end: a sentence, a quotation, a parenthesis.
COMPLETE_END = (*SENTENCE_END, "”", '"', "»", ")")
STARTS_LIKE_TITLE = re.compile(r"^[\"“«'(]?[A-ZА-ЯЁ0-9]")
# How a news lead opens: "On 25 July 2024, ...", "From 1 to 23 April ...", "Today, ...".
TEMPORAL_START = re.compile(
    r"^(?:On|From|In the period from|Today|Yesterday|This week)\b|^\d{1,2}(?:-\d{1,2})?\s+[A-Z]",
)
# Openings that a lead has and a headline never has.
LEAD_ONLY_START = re.compile(r"^(?:Today|Yesterday|This week|In the period from|From \d)\b")


def is_title_like(block: str) -> bool:
    """Shaped like a heading: a few words, a capital first, no sentence punctuation last."""
    return (
        MIN_TITLE_CHARS <= len(block) <= MAX_TITLE_CHARS
        and len(block.split()) >= 2
        and not block.endswith(TERMINAL)
        and not block.endswith(SENTENCE_END)  # a sentence ending inside quotes: '..."'
        and STARTS_LIKE_TITLE.match(block) is not None
        and LEAD_ONLY_START.match(block) is None
        and not is_date_line(block)
    )


def is_sentence_title(block: str) -> bool:
    """A title written as one or two short sentences, or ending in "!" or "?"."""
    if not (MIN_TITLE_CHARS <= len(block) <= MAX_SENTENCE_TITLE_CHARS):
        return False
    if STARTS_LIKE_TITLE.match(block) is None or LEAD_ONLY_START.match(block) or \
            is_date_line(block):
        return False
    if block.endswith(("!", "?", "...", "…")):
        return True
    return block.endswith(".") and block.count(". ") <= 1 and not TEMPORAL_START.match(block)


def is_lead_like(block: str) -> bool:
    """Shaped like a news paragraph: sentences, ending as a sentence ends."""
    return len(block) >= MIN_LEAD_CHARS and block.endswith(SENTENCE_END)


def is_cut_paragraph(block: str) -> bool:
    """A paragraph that the crawler cut: a whole sentence, then words that stop short."""
    return not block.endswith(COMPLETE_END) and first_sentence(block) != block
