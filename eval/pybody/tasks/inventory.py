"""Stock keeping for the warehouse."""

from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0


@dataclass
class Inventory:
    items: dict[str, Item] = field(default_factory=dict)

    def add(self, sku: str, name: str, quantity: int = 0) -> Item:
        item = self.items.setdefault(sku, Item(sku, name))
        item.quantity += quantity
        return item

    def remove(self, sku: str, quantity: int) -> None:
        """Take quantity units of sku out. An unknown sku is a KeyError, not enough stock
        a ValueError (and nothing changes); an item that reaches zero is deleted."""
        item = self.items[sku]
        # <<<
        if quantity > item.quantity:
            raise ValueError(f"only {item.quantity} of {sku} in stock")
        item.quantity -= quantity
        if item.quantity == 0:
            del self.items[sku]
        # >>>

    def low_stock(self, threshold: int = 5) -> list[str]:
        return sorted(sku for sku, item in self.items.items() if item.quantity < threshold)
