"""What each subcommand does, one module per group. Nothing is imported here: the command line
imports the one module its command needs (a tray start does not pay for doctor, login or the
browser tools; bench/start_time.py)."""
