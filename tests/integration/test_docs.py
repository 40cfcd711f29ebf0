"""Every ```python block in README.md and docs/ runs, page by page.

The blocks of one page run in order in one shared namespace (a fresh one per page), so a
page reads as one session. A block whose fence is preceded by the HTML comment
``<!-- no-run -->`` is skipped; keep that for code that needs an outside service. The API
reference (``docs/reference``) is generated from docstrings and holds no blocks to run.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_RUN = "<!-- no-run -->"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n`]*)$")


@attrs.frozen
class Block:
    """One fenced python block: where it starts and what it says."""

    number: int
    line: int
    code: str
    skip: bool


def pages() -> list[Path]:
    """README.md and every Markdown page under docs/, except the API reference."""
    docs = sorted(
        p for p in (ROOT / "docs").rglob("*.md") if "reference" not in p.relative_to(ROOT).parts
    )
    return [ROOT / "README.md", *docs]


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, numbered from 1 in page order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower() if opening["info"] else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = lines[j].strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                break
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        if language in ("python", "py"):
            before = next((ln.strip() for ln in reversed(lines[:i]) if ln.strip()), "")
            skip = before == NO_RUN
            blocks.append(Block(len(blocks) + 1, i + 1, "\n".join(body) + "\n", skip))
        i = j + 1
    return blocks


def test_the_block_parser_finds_numbered_python_blocks_and_honours_no_run() -> None:
    text = (
        "# Title\n\n```python\nx = 1\n```\n\n```text\nnot code\n```\n\n"
        "<!-- no-run -->\n\n```python\nraise SystemExit\n```\n\n"
        "!!! note\n    ```python\n    y = x + 1\n    ```\n"
    )
    blocks = python_blocks(text)
    assert [(b.number, b.line, b.skip) for b in blocks] == [
        (1, 3, False),
        (2, 13, True),
        (3, 18, False),
    ]
    assert blocks[2].code == "y = x + 1\n"


PAGES = [p for p in pages() if python_blocks(p.read_text(encoding="utf-8"))]


def test_the_docs_have_python_blocks_to_run() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert "README.md" in names
    assert any(name.startswith("docs/") for name in names)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_python_block_on_the_page_runs(
    page: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = page.relative_to(ROOT).as_posix()
    namespace: dict[str, object] = {"__name__": f"docs:{name}"}
    ran = 0
    for block in python_blocks(page.read_text(encoding="utf-8")):
        if block.skip:
            continue
        origin = f"{name} block {block.number} (line {block.line})"
        failure = ""
        try:
            code = compile(block.code, origin, "exec")
            exec(code, namespace)  # running the documentation is the point
        except Exception as exc:
            detail = "".join(traceback.format_exception(exc))
            failure = f"{origin} failed: {type(exc).__name__}: {exc}\n\n{detail}"
        if failure:
            pytest.fail(failure, pytrace=False)
        ran += 1
    assert ran > 0, f"{name}: every python block is marked no-run"
    capsys.readouterr()


# Code blocks fit the page: the site shows about 88 characters of code before it scrolls
# sideways. Output blocks (```text, and what ```python exec="on" blocks print) show what
# the code prints, unchanged; the site wraps their long lines instead (extra.css).
MAX_CODE_WIDTH = 88
OUTPUT_LANGUAGES = ("text",)


def fenced_blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """Every fenced block of a Markdown text: (language, first line number, lines)."""
    lines = text.splitlines()
    found: list[tuple[str, int, list[str]]] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower() if opening["info"] else ""
        j = i + 1
        while j < len(lines):
            closing = lines[j].strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                break
            j += 1
        found.append((language, i + 2, lines[i + 1 : j]))
        i = j + 1
    return found


def test_the_width_check_sees_every_fence_and_its_language() -> None:
    text = "```python\nx = 1\n```\n\n```text\n" + "y" * 100 + "\n```\n"
    assert [(lang, first, len(body)) for lang, first, body in fenced_blocks(text)] == [
        ("python", 2, 1),
        ("text", 6, 1),
    ]


@pytest.mark.parametrize(
    "page",
    [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_code_blocks_fit_the_page_without_scrolling_sideways(page: Path) -> None:
    too_wide = [
        f"{page.relative_to(ROOT)}:{first + n}: {len(line)} characters ({language})"
        for language, first, body in fenced_blocks(page.read_text(encoding="utf-8"))
        if language not in OUTPUT_LANGUAGES
        for n, line in enumerate(body)
        if len(line) > MAX_CODE_WIDTH
    ]
    assert not too_wide, f"wrap these at {MAX_CODE_WIDTH} characters:\n" + "\n".join(too_wide)


def test_output_blocks_wrap_on_the_site() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "stylesheets/extra.css" in config
    css = (ROOT / "docs" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "white-space: pre-wrap" in css
