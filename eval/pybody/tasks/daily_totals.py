"""Daily revenue for the sales chart."""

from datetime import date, timedelta


def daily_totals(events: list[tuple[date, float]], start: date, end: date) -> list[tuple[date, float]]:
    """Sum the amounts per day from start to end inclusive, one entry per day in order;
    days without events get 0.0."""
    totals: dict[date, float] = {}
    for day, amount in events:
        if start <= day <= end:
            totals[day] = totals.get(day, 0.0) + amount
    result = []
    # <<<
    day = start
    while day <= end:
        result.append((day, totals.get(day, 0.0)))
        day += timedelta(days=1)
    # >>>
    return result
