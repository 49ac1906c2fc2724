from moving_average import moving_average, smooth

assert list(moving_average([1, 2, 3, 4, 5], 2)) == [1.5, 2.5, 3.5, 4.5]
assert list(moving_average([1, 2], 3)) == []
assert smooth([3, 3, 3, 6]) == [3.0, 4.0]
assert list(moving_average([2.0], 1)) == [2.0]
