from account import Account, InsufficientFunds

a, b = Account("ann", 100), Account("bob")
a.withdraw(30)
assert a.balance == 70 and a.history == [("withdraw", 30)]
a.transfer(b, 70)
assert a.balance == 0 and b.balance == 70 and b.history == [("deposit", 70)]
try:
    a.withdraw(1)
except InsufficientFunds:
    pass
else:
    raise AssertionError("overdraft allowed")
assert a.balance == 0 and len(a.history) == 2
try:
    b.withdraw(-5)
except ValueError:
    pass
else:
    raise AssertionError("negative amount accepted")
