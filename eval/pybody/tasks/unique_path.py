"""Saving downloads without overwriting existing files."""

from pathlib import Path


def unique_path(path: Path) -> Path:
    """path itself if nothing exists there, else "name (1).ext", "name (2).ext", ... —
    the first one that is free."""
    if not path.exists():
        return path
    n = 1
    while True:
        # <<<
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        # >>>
        if not candidate.exists():
            return candidate
        n += 1


def save(directory: Path, name: str, data: bytes) -> Path:
    target = unique_path(directory / name)
    target.write_bytes(data)
    return target
