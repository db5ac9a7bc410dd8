"""pyworker.py -- runs the Python checks of one shell test in one process.

Each line on standard input names a script and its arguments, separated
by tabs, then the files its standard output and error go to:

    SCRIPT <tab> OUT <tab> ERR [<tab> ARG ...]

The script runs as `python3 SCRIPT ARG ...` would run it (its own globals,
__name__ "__main__", sys.argv), and one line goes back: its exit status,
1 for an uncaught exception (whose traceback goes to ERR).  tests/lib.sh
starts it (py_start) and sends it the checks (py_ok): starting python3
and NumPy for every check cost about 0.2 s of CPU each, half of it
OpenBLAS's helper thread waiting for work, over some 150 checks.
"""
import os
import sys
import traceback

cwd, path = os.getcwd(), list(sys.path)
requests, reply = sys.stdin, sys.stdout
sys.stdin = open(os.devnull)  # a script reads no request
for line in requests:
    script, out, err, *args = line.rstrip("\n").split("\t")
    status = 0
    with open(out, "w") as o, open(err, "w") as e:
        sys.stdout, sys.stderr, sys.argv = o, e, [script] + args
        try:
            with open(script) as f:
                code = compile(f.read(), script, "exec")
            exec(code, {"__name__": "__main__", "__file__": script})
        except SystemExit as x:
            if x.code is None:
                status = 0
            elif isinstance(x.code, int):
                status = x.code
            else:
                print(x.code, file=e)
                status = 1
        except BaseException:
            kind, value, tb = sys.exc_info()
            # the traceback from the script down, without this file's frame
            traceback.print_exception(kind, value, tb.tb_next, file=e)
            status = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
            sys.path[:] = path
            os.chdir(cwd)
    print(status, file=reply, flush=True)
