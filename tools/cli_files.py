"""argparse types for the tools' input files: a missing one is a usage error naming the option, not a traceback."""
import argparse
import os


def existing_file(path):
    """The path, if it names a file; else argparse's usage error (exit code 2)."""
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError(f"'{path}' is not a file" + (" (it is a directory)" if os.path.isdir(path) else ""))
    return path


def existing_dir(path):
    """The path, if it names a directory; else argparse's usage error (exit code 2)."""
    if not os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"'{path}' is not a directory")
    return path
