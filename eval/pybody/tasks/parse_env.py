"""Loading settings from .env files."""

import os


def parse_env(text: str) -> dict[str, str]:
    """Parse a .env file: KEY=VALUE lines; blank lines and # comments are skipped; an
    `export ` prefix is allowed; values may be wrapped in matching single or double quotes,
    which are removed. Whitespace around keys and values is stripped."""
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"missing '=' in line: {raw!r}")
        # <<<
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        # >>>
        env[key.strip()] = value
    return env


def load_env(path: str, override: bool = False) -> None:
    with open(path, encoding="utf-8") as f:
        for key, value in parse_env(f.read()).items():
            if override or key not in os.environ:
                os.environ[key] = value
