from flatten import flatten, columns

doc = {"id": 1, "user": {"name": "ann", "address": {"city": "Oslo"}}, "tags": [], "meta": {}}
assert flatten(doc) == {"id": 1, "user.name": "ann", "user.address.city": "Oslo", "tags": [], "meta": {}}
assert flatten({"a": {"b": 2}}, sep="/") == {"a/b": 2}
assert flatten({1: {2: 3}}) == {"1.2": 3}
assert columns([{"a": 1}, {"b": {"c": 2}, "a": 3}]) == ["a", "b.c"]
