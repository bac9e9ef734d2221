"""Stages 1 and 2: reading raw files into normalised blocks."""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.building.scan import Manifest, Skipped, load_page, read_manifest
from indexer.cleaning.blocks import block_key, normalise_block, split_blocks


def test_blocks_are_lines_with_whitespace_and_nbsp_normalised() -> None:
    text = "Title\u00a0line\n\n\n  Body   text\u00a0\u00a0here \nGovernance:\u00a0\u00a0\u00a0\n"
    assert split_blocks(text) == ["Title line", "Body text here", "Governance:"]


def test_block_key_folds_case_quotes_and_punctuation() -> None:
    assert block_key("“Russia Today” News") == block_key('"russia today" news')
    assert normalise_block("a\x07b") == "a b"


def load(raw: Path, name: str, manifest: Manifest | None = None):  # type: ignore[no-untyped-def]
    return load_page(raw / name, raw, (manifest or Manifest()).urls.get(name))


def test_text_with_bad_bytes_is_read_and_reported(write_raw) -> None:  # type: ignore[no-untyped-def]
    raw = write_raw({"bad.txt": b"Caf\xe9 society\n\nSecond paragraph.\n"})
    page = load(raw, "bad.txt")
    assert page.blocks == ("Caf\ufffd society", "Second paragraph.")
    assert page.warnings and "replaced" in page.warnings[0]


def test_html_keeps_paragraphs_and_drops_chrome(write_raw) -> None:  # type: ignore[no-untyped-def]
    html = """<html><head><title>CSTO - news</title>
    <link rel="canonical" href="https://en.odkb-csto.org/news/a/"><style>p{}</style></head>
    <body><nav>Home | News</nav><aside>Latest news item</aside>
    <h1>The CSTO held a meeting</h1>
    <div><p>First <b>para</b>graph.</p><p>Second one.<br>Line two.</p></div>
    <script>alert(1)</script><footer>Contacts</footer></body></html>"""
    page = load(write_raw({"a.html": html}), "a.html")
    assert page.title_hint == "The CSTO held a meeting"
    assert page.url == "https://en.odkb-csto.org/news/a/"
    assert page.blocks == ("The CSTO held a meeting", "First paragraph.", "Second one.",
                           "Line two.")


def test_html_ignores_javascript_canonical_links(write_raw) -> None:  # type: ignore[no-untyped-def]
    html = '<link rel="canonical" href="javascript:alert(1)"><p>Text of the page.</p>'
    assert load(write_raw({"a.htm": html}), "a.htm").url is None


def test_manifest_gives_urls_of_text_pages(write_raw) -> None:  # type: ignore[no-untyped-def]
    rows = [{"file": "a.txt", "url": "https://en.odkb-csto.org/a/"}, "not json"]
    raw = write_raw({"a.txt": "Some text.",
                     "manifest.jsonl": "\n".join(json.dumps(r) if isinstance(r, dict) else r
                                                 for r in rows)})
    manifest = read_manifest(raw)
    assert load(raw, "a.txt", manifest).url == "https://en.odkb-csto.org/a/"
    assert manifest.problems == ["manifest.jsonl line 2 is not a {file, url} object"]


def test_unusable_files_are_skipped_with_a_reason(write_raw, tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = write_raw({"empty.txt": "", "binary.txt": b"\x00\x01\x02PNG\x00\x00",
                     "blank.txt": "  \n\n "})
    outside = tmp_path / "secret.txt"
    outside.write_text("private")
    os.symlink(outside, raw / "link.txt")
    reasons = {name: load(raw, name) for name in ("empty.txt", "binary.txt", "blank.txt",
                                                   "link.txt")}
    assert all(isinstance(result, Skipped) for result in reasons.values())
    assert "empty" in reasons["empty.txt"].reason
    assert "binary" in reasons["binary.txt"].reason
    assert "outside the raw folder" in reasons["link.txt"].reason
    large = load_page(raw / "binary.txt", raw, max_bytes=3)
    assert isinstance(large, Skipped) and "limit" in large.reason


def test_a_page_longer_than_any_article_is_cleaned_up_to_a_bound(tmp_path: Path) -> None:
    from indexer.building.scan import load_page
    from indexer.cleaning.loading import MAX_TEXT_CHARS

    paragraph = "The Council met in Minsk and discussed the plan of the year. " * 20
    count = MAX_TEXT_CHARS // len(paragraph) + 50
    for name, text in (("long.txt", "\n\n".join([paragraph] * count)),
                       ("long.html", "<html><body>" + f"<p>{paragraph}</p>" * count
                        + "</body></html>")):
        (tmp_path / name).write_text(text, "utf-8")
        page = load_page(tmp_path / name, tmp_path)
        assert not isinstance(page, Skipped)
        assert sum(len(block) for block in page.blocks) <= MAX_TEXT_CHARS
        assert len(page.blocks) >= count - 60
        assert any("first 1,000,000 characters" in warning for warning in page.warnings)
