"""A stand-in app that tells what it got from where it was started: random state, open files, store connections.

Prints one `FORK {json}` line and waits for a key; two apps forked from one template
must show different random draws, no descriptor beyond 0, 1 and 2, and no SQLite
connection made before they started (then it opens its own, to show it can), and
whether its pages are offered to the kernel's same-page merging.
"""

import gc
import json
import os
import random
import sqlite3
import sys
import tty

inherited = sorted(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2)
# listdir's own descriptor is in its list: it is the one gone again now.
inherited = [fd for fd in inherited if os.path.exists(f"/proc/self/fd/{fd}")]
gc.unfreeze()  # the template froze what it imported: bring it back into gc's sight
connections = sum(isinstance(o, sqlite3.Connection) for o in gc.get_objects())
own = sqlite3.connect(os.path.join(sys.argv[1], f"probe-{os.getpid()}.sqlite"))
own.execute("create table if not exists t (x)")
own.commit()
try:  # offered to the kernel's same-page merging by the template (Linux 6.4 and later)
    with open("/proc/self/ksm_stat") as stat:
        merge_any = "ksm_merge_any: yes" in stat.read()
except OSError:
    merge_any = None
tty.setraw(0)
os.write(1, ("FORK " + json.dumps({
    "pid": os.getpid(),
    "ppid": os.getppid(),
    "preloaded": "textual" in sys.modules,
    "random": random.getrandbits(64),
    "inherited_fds": {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in inherited},
    "connections_before": connections,
    "session_leader": os.getsid(0) == os.getpid(),
    "argv": sys.argv,
    "ksm_merge_any": merge_any,
}) + "\r\n").encode())
os.read(0, 1)
own.close()
sys.exit(5)
