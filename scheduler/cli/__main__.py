"""`python -m scheduler.cli`: the same as the `partnering` command."""

from scheduler.cli.commands import main

if __name__ == "__main__":
    main()
