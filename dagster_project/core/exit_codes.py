"""Exit codes of the ``payroll`` command line (CONTRACT §1)."""

EXIT_OK = 0
EXIT_FAILED = 1  # a failed run or blocking check
EXIT_BAD_INPUT = 2  # bad usage or bad input that stopped the command
