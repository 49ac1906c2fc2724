from parse_env import parse_env

text = """
# database
DB_HOST = localhost
export DB_PORT=5432
GREETING="hello world"
SINGLE='it is'
MIXED="unbalanced'
EMPTY=
"""
assert parse_env(text) == {
    "DB_HOST": "localhost",
    "DB_PORT": "5432",
    "GREETING": "hello world",
    "SINGLE": "it is",
    "MIXED": "\"unbalanced'",
    "EMPTY": "",
}
assert parse_env('Q=" padded "') == {"Q": " padded "}
try:
    parse_env("NOVALUE")
except ValueError:
    pass
else:
    raise AssertionError("line without '=' accepted")
