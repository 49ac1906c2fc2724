"""Generating a table of contents for README files."""

import re

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def anchor(title: str) -> str:
    return re.sub(r"[^\w\- ]", "", title.lower()).strip().replace(" ", "-")


def table_of_contents(markdown: str) -> list[str]:
    """One line "- [Title](#anchor)" per ATX heading, indented two spaces per level below
    1; lines inside ``` fences are skipped."""
    toc = []
    in_fence = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        # <<<
        m = HEADING.match(line)
        if in_fence or not m:
            continue
        level, title = len(m.group(1)), m.group(2)
        # >>>
        toc.append(f"{'  ' * (level - 1)}- [{title}](#{anchor(title)})")
    return toc
