from lru_cache import LRUCache

c = LRUCache(2)
c.put("a", 1)
c.put("b", 2)
assert c.get("a") == 1
c.put("c", 3)
assert "b" not in c and "a" in c and "c" in c
c.put("a", 10)
c.put("d", 4)
assert "c" not in c and c.get("a") == 10 and c.get("d") == 4
assert len(c) == 2
one = LRUCache(1)
one.put("x", 1)
one.put("x", 2)
assert len(one) == 1 and one.get("x") == 2
