"""`python -m careflow ...`: the same command line as `careflow ...` (careflow_entry.py).

Python imports the package before this module, so a Ctrl-C during that first import still
ends with Python's own traceback; the `careflow` command has no such moment."""

from careflow_entry import main

if __name__ == "__main__":
    main()
