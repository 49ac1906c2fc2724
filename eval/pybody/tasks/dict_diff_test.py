from dict_diff import dict_diff, describe

old = {"theme": "dark", "font": 12, "lang": "en", "beta": True}
new = {"theme": "light", "font": 12, "lang": "en", "zoom": 1.5, "autosave": False}
assert dict_diff(old, new) == {"added": ["autosave", "zoom"], "removed": ["beta"], "changed": ["theme"]}
assert dict_diff({}, {}) == {"added": [], "removed": [], "changed": []}
assert describe(old, old) == "no changes"
assert describe({"a": 1}, {"a": 2, "b": 0}) == "added: b; changed: a"
