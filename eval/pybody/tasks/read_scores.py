"""Scores exported from the quiz tool."""

import csv
import io


def read_scores(text: str) -> dict[str, float]:
    """Read CSV text with a header "name,score" and return the average score per name
    (names stripped); rows with an empty score are skipped."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(text)):
        score = row["score"].strip()
        if not score:
            continue
        # <<<
        name = row["name"].strip()
        sums[name] = sums.get(name, 0.0) + float(score)
        counts[name] = counts.get(name, 0) + 1
        # >>>
    return {name: sums[name] / counts[name] for name in sums}


def best(text: str) -> str:
    scores = read_scores(text)
    return max(scores, key=scores.get)
