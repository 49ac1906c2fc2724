"""Shortening text for previews."""


def truncate(text: str, width: int, ellipsis: str = "…") -> str:
    """Shorten text to at most width characters, cutting at a word boundary when possible,
    and append ellipsis. Text that fits is returned unchanged."""
    if len(text) <= width:
        return text
    cut = text[: width - len(ellipsis)]
    # <<<
    space = cut.rfind(" ")
    # >>>
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def preview(body: str) -> str:
    first = body.strip().split("\n", 1)[0]
    return truncate(first, 40)
