from amortization import amortization

assert amortization(1200, 0, 12) == [1100.0 - 100 * i for i in range(12)]
b = amortization(10000, 0.06, 24)
assert len(b) == 24 and b[-1] == 0.0
assert 9000 < b[0] < 9700
assert all(x > y for x, y in zip(b, b[1:-1]))
assert abs(amortization(1000, 0.12, 2)[0] - 502.49) < 0.01
