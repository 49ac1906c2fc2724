from decimal import Decimal
from invoice import Invoice

inv = Invoice("2024-001")
inv.add("Widget", "9.99", 3)
inv.add("Shipping", "4.50")
assert inv.subtotal() == Decimal("34.47")
assert inv.total() == Decimal("41.36")
assert Invoice("x").total() == Decimal("0.00")
free = Invoice("y", tax_rate=Decimal("0"))
free.add("Thing", "1.25")
free.add("Other", "2.50", 2)
assert free.total() == Decimal("6.25")
assert isinstance(inv.total(), Decimal)
