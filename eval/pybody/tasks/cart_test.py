from cart import Cart

c = Cart()
assert c.total() == 0
c.add("apple", 0.5, 4)
c.add("pear", 1.25)
c.add("apple", 0.5)
assert c.total() == 3.75
c.apply_coupon(10)
assert c.total() == 3.38 or c.total() == 3.37
c.apply_coupon(100)
assert c.total() == 0
