from parse_ranges import parse_ranges, format_ranges

assert parse_ranges("1-3,5,7-8") == [1, 2, 3, 5, 7, 8]
assert parse_ranges(" 4 , 2-3, 3 ") == [2, 3, 4]
assert parse_ranges("") == []
assert parse_ranges("10-10") == [10]
assert format_ranges(parse_ranges("1-4,6,8-9")) == "1-4,6,8-9"
