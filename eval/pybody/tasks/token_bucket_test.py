from token_bucket import TokenBucket

now = [0.0]
b = TokenBucket(rate=2, capacity=3, clock=lambda: now[0])
assert [b.try_acquire() for _ in range(4)] == [True, True, True, False]
now[0] = 1.0
assert b.try_acquire(2) is True
assert b.try_acquire() is False
assert b.try_acquire(5) is False
now[0] = 100.0
assert b.try_acquire(3) is True and b.tokens == 0
