"""python -m indicators.users: the users command as the README documents it; the code is in indicators/accounts/."""

import sys

from indicators.accounts.cli import main
from indicators.cli import run

if __name__ == "__main__":
    sys.exit(run(main))
