"""Collecting the files a linter should check."""

from pathlib import Path

IGNORED_DIRS = {".git", "__pycache__", "node_modules", ".venv"}


def find_sources(root: Path, suffixes: tuple[str, ...] = (".py",)) -> list[str]:
    """Relative POSIX paths of the files under root with one of the suffixes, sorted,
    skipping anything inside an ignored directory."""
    found = []
    for path in root.rglob("*"):
        # <<<
        rel = path.relative_to(root)
        if any(part in IGNORED_DIRS for part in rel.parts):
            continue
        if path.is_file() and path.suffix in suffixes:
            found.append(rel.as_posix())
        # >>>
    return sorted(found)
