"""python -m gat: the gat command line (the program shipped in the package), with the bundled
datasets found by default (GAT_DATA_DIR, when unset, points at them)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    exe = os.path.join(HERE, "bin", "gat")
    if not os.access(exe, os.X_OK):
        sys.stderr.write(f"gat: error: {exe}: the gat program is missing from the package (reinstall it)\n")
        return 1
    env = dict(os.environ)
    if not env.get("GAT_DATA_DIR"):
        env["GAT_DATA_DIR"] = os.path.join(HERE, "data")
    args = sys.argv[1:] if argv is None else list(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(exe, [exe] + args, env)   # the same process becomes gat: same output, exit code and signals


if __name__ == "__main__":
    sys.exit(main())
