"""Shopping cart of the checkout page."""


class Cart:
    def __init__(self):
        self.lines: dict[str, tuple[float, int]] = {}
        self.coupon = 0.0  # fraction taken off the total

    def add(self, name: str, price: float, qty: int = 1) -> None:
        _, old_qty = self.lines.get(name, (price, 0))
        self.lines[name] = (price, old_qty + qty)

    def apply_coupon(self, percent: float) -> None:
        if not 0 <= percent <= 100:
            raise ValueError("percent must be between 0 and 100")
        self.coupon = percent / 100

    def total(self) -> float:
        """Sum of price * quantity over all lines, minus the coupon, rounded to cents."""
        gross = sum(price * qty for price, qty in self.lines.values())
        # <<<
        return round(gross * (1 - self.coupon), 2)
        # >>>
