"""Headline formatting for the newsletter."""

SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}


def title_case(text: str) -> str:
    """Capitalize each word except small words, which stay lowercase unless they are the
    first or the last word. Whitespace between words collapses to one space."""
    words = text.lower().split()
    result = []
    for i, word in enumerate(words):
        if word in SMALL_WORDS and 0 < i < len(words) - 1:
            result.append(word)
        else:
            # <<<
            result.append(word[:1].upper() + word[1:])
            # >>>
    return " ".join(result)
