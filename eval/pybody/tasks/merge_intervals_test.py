from merge_intervals import merge_intervals, free_slots

assert merge_intervals([(5, 8), (1, 3), (2, 4)]) == [(1, 4), (5, 8)]
assert merge_intervals([(1, 3), (3, 5)]) == [(1, 5)]
assert merge_intervals([(1, 10), (2, 3)]) == [(1, 10)]
assert merge_intervals([]) == []
assert free_slots([(600, 660), (630, 700), (800, 900)], 540, 1020) == [(540, 600), (700, 800), (900, 1020)]
