"""Human-readable sizes for the download page."""

_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"]


def format_size(num_bytes: int) -> str:
    """Format a byte count with binary units: 512 -> "512 B", 1536 -> "1.5 KiB"."""
    size = float(num_bytes)
    for unit in _UNITS[:-1]:
        if abs(size) < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        # <<<
        size /= 1024
        # >>>
    return f"{size:.1f} {_UNITS[-1]}"
