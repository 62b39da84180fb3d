"""Exit codes (CONTRACT.md): 0 ok, 1 failed, 2 usage or configuration error, 3 sign-in needed."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SIGNIN = 0, 1, 2, 3
