"""The examples of the background-tasks page users already read (../shared/spec/background-tasks.txt)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT.parent / "shared" / "spec" / "background-tasks.txt"
EXAMPLES = ROOT / "examples" / "background_page"
# In page order.
NAMES = ["basic", "arguments", "multiple", "email", "file_processing", "cache_warming", "analytics", "errors"]
_CODE_STARTS = (" ", "\t", "from ", "import ", "app", "def ", "class ", "@", "#", "if ", "cache", "logger", "}")


def page_examples(text: str) -> list[str]:
    """Each complete app on the page: from its ``from fastrapi import`` line to the prose after it."""
    lines = text.splitlines()
    examples, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("from fastrapi import"):
            i += 1
            continue
        block = [lines[i]]
        i += 1
        while i < len(lines) and (not lines[i] or lines[i].startswith(_CODE_STARTS)):
            block.append(lines[i])
            i += 1
        examples.append("\n".join(block).rstrip() + "\n")
    return examples
