from compress_runs import compress_runs, expand_runs

assert compress_runs("aaabcc") == "3ab2c"
assert compress_runs("") == ""
assert compress_runs("x") == "x"
assert compress_runs("XXXXXXXXXXXXo") == "12Xo"
row = "AAAA..BB.A"
assert expand_runs(compress_runs(row)) == row
