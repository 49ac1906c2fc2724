from parse_args import parse_args

assert parse_args(["deploy", "--env=prod", "--region", "eu", "--dry-run"]) == (
    {"env": "prod", "region": "eu", "dry-run": True}, ["deploy"])
assert parse_args(["--force", "--tag", "v1", "x", "--", "--not-an-option"]) == (
    {"force": True, "tag": "v1"}, ["x", "--not-an-option"])
assert parse_args([]) == ({}, [])
assert parse_args(["--empty="]) == ({"empty": ""}, [])
