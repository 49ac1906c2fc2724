"""Housekeeping for nightly database dumps."""

from datetime import datetime
from pathlib import Path


def backup_name(prefix: str, when: datetime) -> str:
    return f"{prefix}{when:%Y%m%d-%H%M%S}.bak"


def rotate_backups(directory: Path, prefix: str, keep: int) -> list[str]:
    """Delete all but the `keep` newest files named prefix*.bak in directory (newest by
    name, which holds a timestamp) and return the deleted names, oldest first."""
    backups = sorted(p for p in directory.glob(f"{prefix}*.bak") if p.is_file())
    # <<<
    doomed = backups[:-keep] if keep > 0 else backups
    for path in doomed:
        path.unlink()
    # >>>
    return [p.name for p in doomed]
