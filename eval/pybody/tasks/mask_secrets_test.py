from mask_secrets import mask_secrets, dump_config

cfg = {"user": "bob", "DB_PASSWORD": "hunter2", "auth": {"api_key": "k", "url": "https://x"}}
assert mask_secrets(cfg) == {"user": "bob", "DB_PASSWORD": "***", "auth": {"api_key": "***", "url": "https://x"}}
assert cfg["DB_PASSWORD"] == "hunter2"
assert "hunter2" not in dump_config(cfg)
assert mask_secrets({"refresh_token": None}) == {"refresh_token": "***"}
