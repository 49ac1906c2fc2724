"""Response-time histograms for the dashboard."""


def histogram(values: list[float], bins: int, lo: float, hi: float) -> list[int]:
    """Count values into `bins` equal-width bins over [lo, hi]. Values equal to hi go into
    the last bin; values outside the range are ignored."""
    counts = [0] * bins
    width = (hi - lo) / bins
    for v in values:
        if v < lo or v > hi:
            continue
        # <<<
        index = min(int((v - lo) / width), bins - 1)
        # >>>
        counts[index] += 1
    return counts


def render(counts: list[int], bar: str = "#") -> str:
    return "\n".join(bar * c for c in counts)
