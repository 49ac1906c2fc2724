"""Aggregating readings from redundant sensors."""

from dataclasses import dataclass


@dataclass
class Reading:
    sensor: str
    value: float
    weight: float = 1.0


def weighted_mean(readings: list[Reading], sensor: str | None = None) -> float | None:
    """Weighted mean of the readings (only those of `sensor` if given); None if there are
    none or their weights sum to zero."""
    chosen = [r for r in readings if sensor is None or r.sensor == sensor]
    total_weight = sum(r.weight for r in chosen)
    if not chosen or total_weight == 0:
        return None
    # <<<
    return sum(r.value * r.weight for r in chosen) / total_weight
    # >>>
