from weighted_mean import Reading, weighted_mean

rs = [Reading("a", 10.0, 1.0), Reading("a", 20.0, 3.0), Reading("b", 5.0)]
assert weighted_mean(rs, "a") == 17.5
assert weighted_mean(rs, "b") == 5.0
assert abs(weighted_mean(rs) - 75 / 5) < 1e-9
assert weighted_mean(rs, "c") is None
assert weighted_mean([Reading("z", 1.0, 0.0)]) is None
