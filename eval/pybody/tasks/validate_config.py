"""Checking a service's configuration before it starts."""

SCHEMA: dict[str, type] = {"host": str, "port": int, "debug": bool}


def validate(config: dict, schema: dict[str, type] = SCHEMA) -> list[str]:
    """Error messages for config against schema (key -> expected type), in schema order:
    "missing key: K" or "K: expected T, got U" (type names); then "unknown key: K" for
    keys not in the schema, sorted."""
    errors = []
    for key, expected in schema.items():
        # <<<
        if key not in config:
            errors.append(f"missing key: {key}")
        elif not isinstance(config[key], expected):
            errors.append(f"{key}: expected {expected.__name__}, got {type(config[key]).__name__}")
        # >>>
    for key in sorted(set(config) - set(schema)):
        errors.append(f"unknown key: {key}")
    return errors
