from parse_duration import parse_duration, format_duration

assert parse_duration("45s") == 45
assert parse_duration("1h30m") == 5400
assert parse_duration("2h 5s") == 7205
assert parse_duration("10m10m") == 1200
for bad in ["", "   ", "5", "h5", "1x", "1h30", "abc1h"]:
    try:
        parse_duration(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"no error for {bad!r}")
assert parse_duration(format_duration(3725)) == 3725
