from format_table import format_table

out = format_table(["name", "qty"], [["apple", 3], ["kiwi", 12]])
assert out == "name   qty\n-----  ---\napple  3\nkiwi   12", repr(out)
assert format_table(["a"], []) == "a\n-"
assert format_table(["x", "y"], [[1, 22]]).splitlines()[1] == "-  --"
