from snake_case import to_snake_case, to_camel_case

assert to_snake_case("parseHTTPResponse") == "parse_http_response"
assert to_snake_case("userId") == "user_id"
assert to_snake_case("Content-Type") == "content_type"
assert to_snake_case("already_snake") == "already_snake"
assert to_snake_case("  two words ") == "two_words"
assert to_snake_case(to_camel_case("max_retry_count")) == "max_retry_count"
