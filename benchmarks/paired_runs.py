#!/usr/bin/env python3
"""Times two whole commands side by side: A B A B ..., the ratio A/B taken pair by pair.

    python3 benchmarks/paired_runs.py [-n RUNS] [--warmup W] [--timeout SECONDS] [--vs 'COMMAND_B'] -- COMMAND_A [ARG ...]

A machine shared with other work drifts in speed over minutes; a ratio taken between two runs made one after the other
moves far less than either run's seconds, so this is how the benchmarks compare a build with the one before it
(docs/performance.md, "Machine"). Each run's wall seconds come from a monotonic clock around the child, its cpu (user +
system) and peak resident set from the operating system's accounting of the reaped child (wait4). Every figure is
printed as min / median / max: quote the median. Without --vs, command A alone is timed. The peak cannot read below
this script's own size (about 12 MiB: the child is forked from it before it becomes the command).

COMMAND_B is one string split as a shell splits words; neither command runs in a shell, so a command that needs a pipe
or a redirection is written as sh -c '...'. The commands' output is discarded unless they redirect it themselves.
Exit status: 0, 1 when a command fails or cannot start, 2 for bad arguments, 3 when --timeout cut the runs short (the
figures printed are then of the runs that finished). Standard library only.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(command, deadline):
    """One run of command: (wall seconds, cpu seconds, peak MiB, exit code); kills it at the deadline."""
    start = time.monotonic()
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as e:
        sys.exit(f"error: cannot start {shlex.join(command)}: {e.strerror or e}")
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            raise TimeoutError(f"killed at the --timeout bound: {shlex.join(command)}")
        time.sleep(0.01)
    wall = time.monotonic() - start
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def spread(values, unit, digits=3):
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f} {unit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=5, help="counted runs of each command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs of each command first (default 1)")
    parser.add_argument("--timeout", type=float, default=3600, help="one bound in seconds on the whole call (default 3600)")
    parser.add_argument("--vs", help="command B, the baseline, as one string")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then command A and its arguments")
    args = parser.parse_args()
    command_a = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command_a:
        parser.error("give command A after --")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    if not args.timeout > 0:
        parser.error("--timeout must be a positive number of seconds")
    commands = {"A": command_a}
    if args.vs is not None:
        try:
            commands["B"] = shlex.split(args.vs)
        except ValueError as e:
            parser.error(f"--vs: {e}")
        if not commands["B"]:
            parser.error("--vs is empty: give command B, or leave --vs out")
    deadline = time.monotonic() + args.timeout
    runs = {name: [] for name in commands}
    try:
        for turn in range(args.warmup + args.runs):
            for name, command in commands.items():
                result = run_once(command, deadline)
                if result[3] != 0:
                    sys.exit(f"error: command {name} exited with {result[3]}: {shlex.join(command)}")
                if turn >= args.warmup:
                    runs[name].append(result)
    except TimeoutError as stop:
        timed_out = True
        print(f"warning: {stop}; the finished runs follow", file=sys.stderr)
    else:
        timed_out = False
    counted = min(len(done) for done in runs.values())
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, {os.cpu_count()} cores, "
          f"{args.warmup} warm-up and {counted} of {args.runs} counted runs of each finished; min / median / max")
    for name, command in commands.items():
        done = runs[name]
        if not done:
            print(f"{name}: no run finished: {shlex.join(command)}")
            continue
        print(f"{name}: {shlex.join(command)}")
        print(f"   wall {spread([r[0] for r in done], 's')}   cpu {spread([r[1] for r in done], 's')}   "
              f"peak {spread([r[2] for r in done], 'MiB', 0)}   ({len(done)} runs)")
    if "B" in commands:
        pairs = list(zip(runs["A"], runs["B"]))
        if pairs:
            print(f"A/B by pair: wall {spread([a[0] / b[0] for a, b in pairs], 'x')}   "
                  f"cpu {spread([a[1] / b[1] for a, b in pairs], 'x')}   ({len(pairs)} pairs)")
    # Cut short by --timeout: the figures above are partial, and the exit status says so (3).
    return 3 if timed_out else 0


if __name__ == "__main__":
    sys.exit(main())
