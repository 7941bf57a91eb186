"""`python -m app.cli`: the same as the `coursewire` command."""

import sys

from app.cli import main

if __name__ == "__main__":  # importing this module (a dependency scan, say) runs nothing
    sys.exit(main())
