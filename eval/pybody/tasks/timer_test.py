from timer import Timer

ticks = iter([100, 103, 110, 111, 120])
with Timer(clock=lambda: next(ticks)) as t:
    assert t.lap() == 3
    assert t.lap() == 7
    assert t.lap() == 1
assert t.laps == [3, 7, 1]
assert t.elapsed == 20
