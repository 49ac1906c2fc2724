"""Spotting unusual build times."""

import statistics


def outliers(values: list[float], z: float = 2.0) -> list[int]:
    """Indexes of the values more than z population standard deviations from the mean."""
    if len(values) < 2:
        return []
    mean = statistics.fmean(values)
    sd = statistics.pstdev(values)
    if sd == 0:
        return []
    # <<<
    return [i for i, v in enumerate(values) if abs(v - mean) / sd > z]
    # >>>


def slow_builds(durations: dict[str, float]) -> list[str]:
    names = list(durations)
    return [names[i] for i in outliers(list(durations.values()))]
