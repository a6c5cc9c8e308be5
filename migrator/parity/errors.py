"""The one error type of the parity package that the CLI turns into exit code 2 (one clear line, no traceback)."""


class ParityUsageError(Exception):
    """Bad input: a file that cannot be read, a malformed request list or cassette, a missing credential, ..."""
