from validate_config import validate

assert validate({"host": "x", "port": 80, "debug": False}) == []
assert validate({"host": "x", "port": "80", "verbose": 1, "color": 2}) == [
    "port: expected int, got str",
    "missing key: debug",
    "unknown key: color",
    "unknown key: verbose",
]
assert validate({}, {"a": list}) == ["missing key: a"]
