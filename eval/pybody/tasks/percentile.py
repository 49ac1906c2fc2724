"""Latency percentiles for the status page."""


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) of values, interpolating linearly between the closest
    ranks (as numpy's default method does). Raise ValueError for no values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    # <<<
    k = (len(ordered) - 1) * p / 100
    lower = int(k)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)
    # >>>


def summary(latencies_ms: list[float]) -> dict[str, float]:
    return {f"p{p}": round(percentile(latencies_ms, p), 1) for p in (50, 90, 99)}
