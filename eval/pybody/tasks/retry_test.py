from retry import retry

sleeps = []
calls = []


@retry(3, (ConnectionError,), delay=0.5, sleep=sleeps.append)
def flaky(n):
    calls.append(n)
    if len(calls) < 3:
        raise ConnectionError("down")
    return n * 2


assert flaky(21) == 42 and len(calls) == 3 and sleeps == [0.5, 0.5]
assert flaky.__name__ == "flaky"

attempts = []


@retry(2, (ValueError,), sleep=lambda s: None)
def always_bad():
    attempts.append(1)
    raise ValueError("nope")


try:
    always_bad()
except ValueError:
    pass
else:
    raise AssertionError("error swallowed")
assert len(attempts) == 2

other = []


@retry(5, (ValueError,), sleep=lambda s: None)
def wrong_kind():
    other.append(1)
    raise KeyError("k")


try:
    wrong_kind()
except KeyError:
    pass
assert len(other) == 1
