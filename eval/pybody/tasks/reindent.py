"""Embedding code snippets in generated documentation."""


def reindent(code: str, spaces: int) -> str:
    """Remove the common leading indentation of the lines, then indent each non-blank line
    by `spaces` spaces. Blank lines become empty."""
    lines = code.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    common = min(indents, default=0)
    # <<<
    return "\n".join(" " * spaces + line[common:] if line.strip() else "" for line in lines)
    # >>>


def as_code_block(code: str, language: str = "python") -> str:
    return f"```{language}\n{reindent(code, 0)}\n```"
