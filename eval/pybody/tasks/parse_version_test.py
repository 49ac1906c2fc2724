from parse_version import parse_version, is_newer

assert parse_version("1.10.2") == (1, 10, 2)
assert parse_version("v2.0") == (2,)
assert parse_version("1.0.0") == parse_version("1")
assert parse_version("0") == (0,)
assert parse_version("3.0.1") == (3, 0, 1)
assert is_newer("1.10", "1.9.9")
assert not is_newer("1.0.0", "1")
