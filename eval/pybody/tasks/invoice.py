"""Invoices with line items and tax."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class LineItem:
    description: str
    unit_price: Decimal
    quantity: int = 1

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Invoice:
    number: str
    items: list[LineItem] = field(default_factory=list)
    tax_rate: Decimal = Decimal("0.20")

    def add(self, description: str, unit_price: str, quantity: int = 1) -> None:
        self.items.append(LineItem(description, Decimal(unit_price), quantity))

    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0"))

    def total(self) -> Decimal:
        """Subtotal plus tax, rounded to cents."""
        tax = self.subtotal() * self.tax_rate
        # <<<
        return (self.subtotal() + tax).quantize(Decimal("0.01"))
        # >>>
