"""Layered configuration: defaults, then the user's file, then the command line."""

import copy

DEFAULTS = {"server": {"host": "127.0.0.1", "port": 8080}, "debug": False}


def deep_merge(base: dict, override: dict) -> dict:
    """A new dict: override's keys over base's; where both hold dicts, they are merged
    recursively. The inputs are not modified."""
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            # <<<
            result[key] = deep_merge(result[key], value)
            # >>>
        else:
            result[key] = copy.deepcopy(value)
    return result


def load_config(*layers: dict) -> dict:
    config = DEFAULTS
    for layer in layers:
        config = deep_merge(config, layer)
    return config
