from to_int import to_int

assert to_int(" 42 ") == 42
assert to_int("1_000") == 1000
assert to_int(7.9) == 7
assert to_int("x", 0) == 0
assert to_int(None, -1) == -1
assert to_int("", 5) == 5
assert to_int("abc") is None
