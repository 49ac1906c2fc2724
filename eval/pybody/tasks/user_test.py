from user import User

u = User(" Jane_Doe ", "JANE@EXAMPLE.ORG", 30)
assert u.username == "jane_doe" and u.email == "jane@example.org"
assert u.display_name == "Jane Doe"
for args in [("jd", "a@b.c"), ("9lives", "a@b.c"), ("valid_name", "no-at"), ("okname", "a@b", 200)]:
    try:
        User(*args)
    except ValueError:
        pass
    else:
        raise AssertionError(f"accepted {args}")
