from percentile import percentile, summary

assert percentile([1, 2, 3, 4], 50) == 2.5
assert percentile([7], 90) == 7
assert percentile([10, 0, 20], 0) == 0
assert percentile([10, 0, 20], 100) == 20
assert abs(percentile([1, 2, 3, 4, 5], 90) - 4.6) < 1e-9
assert summary(list(range(101))) == {"p50": 50.0, "p90": 90.0, "p99": 99.0}
