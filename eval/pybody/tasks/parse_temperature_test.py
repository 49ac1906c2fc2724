from parse_temperature import parse_temperature

assert parse_temperature("21.5C") == 21.5
assert abs(parse_temperature("212 °F") - 100) < 1e-9
assert abs(parse_temperature("32f") - 0) < 1e-9
assert abs(parse_temperature("-40F") + 40) < 1e-9
assert abs(parse_temperature("300K") - 26.85) < 1e-9
try:
    parse_temperature("10X")
except ValueError:
    pass
else:
    raise AssertionError("unknown unit accepted")
