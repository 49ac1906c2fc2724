from parse_query import parse_query, build_query

assert parse_query("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}
assert parse_query("?q=hello+world&lang=en") == {"q": ["hello world"], "lang": ["en"]}
assert parse_query("flag&&x=%2F") == {"flag": [""], "x": ["/"]}
assert parse_query("") == {}
params = {"name": ["Zoë & co"], "tag": ["a", "b"]}
assert parse_query(build_query(params)) == params
