"""Page selections for the print dialog."""


def parse_ranges(spec: str) -> list[int]:
    """Expand "1-3,5,7-8" into [1, 2, 3, 5, 7, 8]; spaces are ignored and the result is
    sorted without duplicates."""
    numbers = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            # <<<
            numbers.update(range(int(lo), int(hi) + 1))
            # >>>
        else:
            numbers.add(int(part))
    return sorted(numbers)


def format_ranges(numbers: list[int]) -> str:
    out, run = [], []
    for n in sorted(set(numbers)):
        if run and n != run[-1] + 1:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        run.append(n)
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)
