from ttl_cache import TTLCache

now = [0.0]
c = TTLCache(10, clock=lambda: now[0])
c.set("a", 1)
c.set("b", 2)
assert c.get("a") == 1 and len(c) == 2
now[0] = 9.9
assert c.get("b") == 2
now[0] = 10.0
assert c.get("a", "gone") == "gone"
assert len(c) == 1
assert c.get("b") is None
assert len(c) == 0
assert c.get("zzz", 5) == 5
