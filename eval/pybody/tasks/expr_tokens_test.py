from expr_tokens import tokenize

assert tokenize("1 + 2.5*(3-4)") == [1.0, "+", 2.5, "*", "(", 3.0, "-", 4.0, ")"]
assert tokenize("  42  ") == [42.0]
assert tokenize("") == []
assert tokenize("10/5") == [10.0, "/", 5.0]
try:
    tokenize("2 ^ 3")
except ValueError:
    pass
else:
    raise AssertionError("^ accepted")
