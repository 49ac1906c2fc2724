from parse_ini import parse_ini, get

text = """
timeout = 30
; comment
[server]
host = example.org
port=8080
# another
[ client ]
retries = 3
[server]
tls = yes
"""
data = parse_ini(text)
assert data == {
    "DEFAULT": {"timeout": "30"},
    "server": {"host": "example.org", "port": "8080", "tls": "yes"},
    "client": {"retries": "3"},
}
assert get(data, "client", "timeout") == "30"
assert get(data, "nope", "x", "d") == "d"
