from parse_headers import parse_headers

raw = "Host: example.org\r\nAccept: text/html\r\naccept: application/json\r\nX-Empty:\r\n\r\nBody: no"
assert parse_headers(raw) == {
    "host": "example.org",
    "accept": "text/html, application/json",
    "x-empty": "",
}
assert parse_headers("") == {}
assert parse_headers("Location: http://x/y?z=1") == {"location": "http://x/y?z=1"}
