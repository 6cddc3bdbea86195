"""Personal data (UU PDP): encryption keys and the retention purge (CLI in app/privacy/cli.py)."""
