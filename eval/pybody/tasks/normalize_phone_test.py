from normalize_phone import normalize_phone

assert normalize_phone("(555) 123-4567") == "+15551234567"
assert normalize_phone("+44 20 7946 0958") == "+442079460958"
assert normalize_phone("0049 30 1234567") == "+49301234567"
assert normalize_phone("555.123.4567", "7") == "+75551234567"
assert normalize_phone("+1 555 123 4567") == "+15551234567"
assert normalize_phone("15551234567") == "+15551234567"
