from normalize_email import normalize_email, same_account

assert normalize_email("  Jane.Doe@Example.COM ") == "Jane.Doe@example.com"
assert normalize_email("a+tag@sub.Domain.org") == "a+tag@sub.domain.org"
assert same_account("bob@X.io", "bob@x.io")
assert not same_account("Bob@x.io", "bob@x.io")
try:
    normalize_email("no-at-sign")
except ValueError:
    pass
else:
    raise AssertionError("invalid address accepted")
