"""python -m indicators.accounts: the same command as `python -m indicators.users` (the name the README documents)."""

import sys

from indicators.accounts.cli import main
from indicators.cli import run

if __name__ == "__main__":
    sys.exit(run(main))
