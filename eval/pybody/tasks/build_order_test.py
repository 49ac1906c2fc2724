from build_order import build_order

deps = {"app": ["lib", "assets"], "lib": ["core"], "assets": [], "tests": ["app", "core"]}
assert build_order(deps) == ["assets", "core", "lib", "app", "tests"]
assert build_order({}) == []
assert build_order({"b": [], "a": []}) == ["a", "b"]
try:
    build_order({"a": ["b"], "b": ["a"], "c": []})
except ValueError:
    pass
else:
    raise AssertionError("cycle not detected")
