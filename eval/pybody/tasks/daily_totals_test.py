from datetime import date
from daily_totals import daily_totals

d = date(2024, 2, 27)
events = [(date(2024, 2, 28), 10.0), (date(2024, 3, 1), 5.0), (date(2024, 2, 28), 2.5), (date(2024, 3, 9), 99.0)]
assert daily_totals(events, d, date(2024, 3, 1)) == [
    (date(2024, 2, 27), 0.0), (date(2024, 2, 28), 12.5), (date(2024, 2, 29), 0.0), (date(2024, 3, 1), 5.0)]
assert daily_totals([], d, d) == [(d, 0.0)]
assert daily_totals(events, date(2024, 3, 2), date(2024, 3, 1)) == []
