"""Lenient conversions for form input."""


def to_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def to_int(value, default: int | None = None) -> int | None:
    """Convert value to int; strings may have surrounding whitespace and underscores.
    Return default when the conversion fails."""
    try:
        if isinstance(value, str):
            value = value.strip().replace("_", "")
        return int(value)
    except (TypeError, ValueError):
        # <<<
        return default
        # >>>
