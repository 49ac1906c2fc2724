"""Turning nested JSON documents into flat columns for export."""


def flatten(d: dict, sep: str = ".", prefix: str = "") -> dict:
    """Flatten nested dicts: {"a": {"b": 1}} -> {"a.b": 1}. Empty nested dicts are kept as
    values; keys are converted to strings."""
    out = {}
    for key, value in d.items():
        name = f"{prefix}{sep}{key}" if prefix else str(key)
        # <<<
        if isinstance(value, dict) and value:
            out.update(flatten(value, sep, name))
        else:
            out[name] = value
        # >>>
    return out


def columns(records: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(flatten(record)))
    return list(seen)
