"""Loan calculator."""


def monthly_payment(principal: float, annual_rate: float, months: int) -> float:
    r = annual_rate / 12
    if r == 0:
        return principal / months
    return principal * r / (1 - (1 + r) ** -months)


def amortization(principal: float, annual_rate: float, months: int) -> list[float]:
    """The remaining balance after each monthly payment of a fixed-rate loan, rounded to
    cents (never below zero)."""
    r = annual_rate / 12
    payment = monthly_payment(principal, annual_rate, months)
    balances = []
    balance = principal
    for _ in range(months):
        # <<<
        balance = balance * (1 + r) - payment
        # >>>
        balances.append(round(max(balance, 0.0), 2))
    return balances
