from deep_merge import deep_merge, load_config, DEFAULTS

base = {"a": {"x": 1, "y": 2}, "b": 1}
over = {"a": {"y": 3, "z": 4}, "c": 5}
assert deep_merge(base, over) == {"a": {"x": 1, "y": 3, "z": 4}, "b": 1, "c": 5}
assert base == {"a": {"x": 1, "y": 2}, "b": 1}
assert over == {"a": {"y": 3, "z": 4}, "c": 5}
assert deep_merge({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}
cfg = load_config({"server": {"port": 9000}}, {"debug": True})
assert cfg == {"server": {"host": "127.0.0.1", "port": 9000}, "debug": True}
assert DEFAULTS["server"]["port"] == 8080
