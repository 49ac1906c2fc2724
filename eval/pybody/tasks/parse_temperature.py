"""Temperatures typed by users in any of three scales."""


def parse_temperature(text: str) -> float:
    """Parse "21.5C", "70F" or "300K" (case-insensitive, optional space and degree sign)
    into degrees Celsius."""
    t = text.strip().upper().replace("°", "").replace(" ", "")
    value, unit = float(t[:-1]), t[-1]
    if unit == "C":
        return value
    if unit == "F":
        # <<<
        return (value - 32) * 5 / 9
        # >>>
    if unit == "K":
        return value - 273.15
    raise ValueError(f"unknown unit in {text!r}")
