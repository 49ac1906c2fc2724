"""Reading legacy INI settings files."""


def parse_ini(text: str) -> dict[str, dict[str, str]]:
    """Parse INI text: [section] headers, "key = value" lines, ; or # comment lines. Keys
    before any section go to "DEFAULT"; a repeated section header adds to that section."""
    data: dict[str, dict[str, str]] = {"DEFAULT": {}}
    section = "DEFAULT"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        # <<<
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            data.setdefault(section, {})
            continue
        # >>>
        key, _, value = line.partition("=")
        data[section][key.strip()] = value.strip()
    return data


def get(data: dict[str, dict[str, str]], section: str, key: str, fallback: str | None = None) -> str | None:
    return data.get(section, {}).get(key, data["DEFAULT"].get(key, fallback))
