"""Showing what changed between two saved versions of a settings document."""


def dict_diff(old: dict, new: dict) -> dict[str, list]:
    """The keys added, removed and changed between two dicts, as
    {"added": [...], "removed": [...], "changed": [...]}, each list sorted."""
    old_keys, new_keys = set(old), set(new)
    # <<<
    added = sorted(new_keys - old_keys)
    removed = sorted(old_keys - new_keys)
    changed = sorted(k for k in old_keys & new_keys if old[k] != new[k])
    # >>>
    return {"added": added, "removed": removed, "changed": changed}


def describe(old: dict, new: dict) -> str:
    d = dict_diff(old, new)
    return "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in d.items() if keys) or "no changes"
