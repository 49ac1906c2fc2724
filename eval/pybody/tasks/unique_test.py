from unique import unique, unique_emails

assert unique([3, 1, 3, 2, 1]) == [3, 1, 2]
assert unique("abracadabra") == ["a", "b", "r", "c", "d"]
assert unique([]) == []
rows = [{"email": "A@x.org", "n": 1}, {"email": "a@x.org", "n": 2}, {"email": "b@x.org", "n": 3}]
assert [r["n"] for r in unique_emails(rows)] == [1, 3]
