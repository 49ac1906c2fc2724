"""Plain-text reports for the command line."""


def format_table(headers: list[str], rows: list[list[object]]) -> str:
    """Render rows as a plain-text table: cells left-aligned and padded to the widest cell
    of their column, columns separated by two spaces, trailing spaces stripped, and a rule
    of dashes (as wide as each column) under the header."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    # <<<
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    # >>>
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
