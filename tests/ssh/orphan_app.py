"""A stand-in app that leaves a process behind: it forks a child, says its pid, and exits.

The child outlives the app (until the app's end closes the pipe it waits on), so it
is orphaned; it must then be reaped, not stay a zombie of whoever inherits it.
"""

import os
import sys

readable, writable = os.pipe()
child = os.fork()
if child == 0:
    os.close(writable)
    os.read(readable, 1)  # end of file once the app has gone
    os._exit(0)
os.close(readable)
os.write(1, f"ORPHAN {child}\r\n".encode())
os.read(0, 1)
sys.exit(0)
