"""The app on a database server that is down: it closes, then says so in one line."""

from __future__ import annotations

import sys

from in_a_pty import left_on_screen, run_until_exit
from pg_server import free_port
from store_helpers import REPO


def test_the_app_on_a_server_that_is_down_closes_with_one_line():
    url = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/practice"
    # This checkout's code (-m from the repository), opened as people open it.
    code, text = run_until_exit([sys.executable, "-m", "trustdialog", "--store", url], cwd=REPO)
    assert code == 1, text
    after = left_on_screen(text)
    assert after.startswith("trustdialog: cannot reach the database postgresql://ann:***@"), after
    assert "\n" not in after and "s3cret" not in text and "Traceback" not in text
