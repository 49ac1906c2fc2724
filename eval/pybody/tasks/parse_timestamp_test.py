from datetime import datetime
from parse_timestamp import parse_timestamp

assert parse_timestamp("2024-03-01T08:30:00") == datetime(2024, 3, 1, 8, 30)
assert parse_timestamp(" 2024-03-01 08:30 ") == datetime(2024, 3, 1, 8, 30)
assert parse_timestamp("01/03/2024") == datetime(2024, 3, 1)
assert parse_timestamp("2024-03-01") == datetime(2024, 3, 1)
try:
    parse_timestamp("March 1st")
except ValueError as e:
    assert "%d/%m/%Y" in str(e)
else:
    raise AssertionError("bad timestamp accepted")
