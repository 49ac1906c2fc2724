"""Printing configuration to the debug log without leaking credentials."""

import json
import re

SECRET_KEYS = re.compile(r"(password|secret|token|api_key)", re.IGNORECASE)


def mask_secrets(config: dict) -> dict:
    """A copy of config where the values of keys that look secret are replaced by "***";
    nested dicts are masked too."""
    masked = {}
    for key, value in config.items():
        if isinstance(value, dict):
            masked[key] = mask_secrets(value)
        elif SECRET_KEYS.search(key):
            # <<<
            masked[key] = "***"
            # >>>
        else:
            masked[key] = value
    return masked


def dump_config(config: dict) -> str:
    return json.dumps(mask_secrets(config), sort_keys=True)
