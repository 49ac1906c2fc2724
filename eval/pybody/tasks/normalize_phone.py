"""Phone numbers for the SMS gateway."""

import re


def normalize_phone(number: str, country_code: str = "1") -> str:
    """E.164-style "+<digits>": punctuation is stripped; a 10-digit number without a prefix
    gets the default country code; one starting with "+" or "00" keeps its own."""
    has_plus = number.strip().startswith("+")
    digits = re.sub(r"\D", "", number)
    if digits.startswith("00"):
        digits, has_plus = digits[2:], True
    # <<<
    if not has_plus and len(digits) == 10:
    # >>>
        digits = country_code + digits
    return "+" + digits
