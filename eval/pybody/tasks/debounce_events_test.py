from datetime import datetime, timedelta
from debounce_events import debounce_events

t = datetime(2024, 5, 1, 12, 0, 0)
s = lambda n: t + timedelta(seconds=n)
events = [(s(0), "disk"), (s(30), "disk"), (s(10), "cpu"), (s(61), "disk"), (s(70), "disk"), (s(15), "cpu")]
assert debounce_events(events, timedelta(minutes=1)) == [(s(0), "disk"), (s(10), "cpu"), (s(61), "disk")]
assert debounce_events(events, timedelta(0)) == sorted(events)
assert debounce_events([], timedelta(1)) == []
