"""The lexer of the spreadsheet's formula language."""

import re

TOKEN = re.compile(r"\s*(?:(\d+\.?\d*)|(.))")
OPERATORS = "+-*/()"


def tokenize(expr: str) -> list[str | float]:
    """Split an arithmetic expression into numbers (as floats) and single-character
    operators or parentheses; whitespace is ignored. Raise ValueError on any other
    character."""
    tokens: list[str | float] = []
    for number, op in TOKEN.findall(expr):
        # <<<
        if number:
            tokens.append(float(number))
        elif op in OPERATORS:
            tokens.append(op)
        # >>>
        elif op.strip():
            raise ValueError(f"unexpected character {op!r}")
    return tokens
