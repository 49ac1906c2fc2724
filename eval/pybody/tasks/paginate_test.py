from paginate import paginate

items = list(range(25))
p = paginate(items, 1)
assert p.items == list(range(10)) and p.total_pages == 3 and p.has_next
p = paginate(items, 3)
assert p.items == [20, 21, 22, 23, 24] and not p.has_next
assert paginate(items, 4).items == []
assert paginate([], 1).total_pages == 1
assert paginate(items, 2, per_page=7).items == list(range(7, 14))
try:
    paginate(items, 0)
except ValueError:
    pass
else:
    raise AssertionError("page 0 accepted")
