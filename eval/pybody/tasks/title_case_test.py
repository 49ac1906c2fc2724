from title_case import title_case

assert title_case("the lord of the rings") == "The Lord of the Rings"
assert title_case("a tale OF two   cities") == "A Tale of Two Cities"
assert title_case("what to look for") == "What to Look For"
assert title_case("o'neil's e-mail") == "O'neil's E-mail"
assert title_case("") == ""
