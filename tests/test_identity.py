"""The one identity the SSH server hands to the app: to the environment and back, nothing guessed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trustdialog.identity import ENV_NAMES, Identity, IdentityError

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("identity", [
    Identity("alice", "facilitator"),
    Identity("bob", "client"),
    Identity("bob", "client", couple="bob-and-bea", partner="b"),
])
def test_an_identity_survives_the_environment(identity):
    env = identity.to_env()
    assert set(env) <= set(ENV_NAMES)
    assert Identity.from_env(env) == identity


def test_no_identity_at_a_local_terminal():
    assert Identity.from_env({"HOME": "/home/x"}) is None
    assert Identity.from_env({"TRUSTDIALOG_USER": "", "TRUSTDIALOG_ROLE": ""}) is None


@pytest.mark.parametrize("env", [
    {"TRUSTDIALOG_USER": "bob"},  # half an identity
    {"TRUSTDIALOG_ROLE": "facilitator"},
    {"TRUSTDIALOG_USER": "bob", "TRUSTDIALOG_ROLE": "admin"},
    {"TRUSTDIALOG_USER": "bob", "TRUSTDIALOG_ROLE": "client", "TRUSTDIALOG_PARTNER": "c",
     "TRUSTDIALOG_COUPLE": "x"},
    {"TRUSTDIALOG_USER": "bob", "TRUSTDIALOG_ROLE": "client", "TRUSTDIALOG_PARTNER": "a"},
])
def test_a_malformed_identity_is_refused_not_guessed(env):
    with pytest.raises(IdentityError):
        Identity.from_env(env)


def test_identity_sits_below_the_line():
    code = ("import sys, trustdialog.identity; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'asyncssh')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_half_set_identity_is_one_line_from_the_real_command(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDIALOG_")}
    env["TRUSTDIALOG_USER"] = "bob"
    done = subprocess.run([sys.executable, "-m", "trustdialog", "--data-dir", str(tmp_path), "sessions"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "trustdialog: TRUSTDIALOG_USER and TRUSTDIALOG_ROLE must be set together\n"
