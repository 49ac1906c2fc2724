from inventory import Inventory

inv = Inventory()
inv.add("A1", "bolt", 10)
inv.add("B2", "nut", 3)
inv.remove("A1", 4)
assert inv.items["A1"].quantity == 6
try:
    inv.remove("B2", 4)
except ValueError:
    pass
else:
    raise AssertionError("negative stock")
assert inv.items["B2"].quantity == 3
inv.remove("B2", 3)
assert "B2" not in inv.items
try:
    inv.remove("C3", 1)
except KeyError:
    pass
else:
    raise AssertionError("unknown sku accepted")
assert inv.low_stock(7) == ["A1"]
