"""A fetch killed with SIGKILL in the middle leaves the previous cache readable and unchanged."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time

from conftest import REPO_ROOT
from fake_api import FakeCtgovApi, Fault
from mstrials.store.cache import connect_readonly
from study_factory import make_study


def test_sigkill_mid_fetch_leaves_the_old_cache(tmp_path, loopback_api):
    old = [make_study(nct_id=f"NCT{70000000 + i:08d}") for i in range(40)]
    new = [make_study(nct_id=f"NCT{71000000 + i:08d}", status="COMPLETED") for i in range(3000)]
    fake = FakeCtgovApi(old)
    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(fake.handle)
    base_url = loopback_api.url_for("/api/v2")
    cache = tmp_path / "trials.sqlite"
    command = [sys.executable, str(REPO_ROOT / "scripts" / "fetch_trials.py"), "--cache", str(cache),
               "--registry", "ctgov", "--base-url", base_url, "--quiet", "--min-interval", "0"]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    before = hashlib.sha256(cache.read_bytes()).hexdigest()

    # The second run gets its first page quickly and then waits on a slow second page.
    fake.studies = new
    fake.requests.clear()
    fake.faults = [Fault(), Fault(), Fault(delay_seconds=30)]
    process = subprocess.Popen([*command, "--full"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(fake.study_requests()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(fake.study_requests()) == 2, "the fetch never reached its second page"
        time.sleep(0.3)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    assert hashlib.sha256(cache.read_bytes()).hexdigest() == before
    connection = connect_readonly(cache)
    try:
        assert connection.execute("SELECT COUNT(*) FROM studies").fetchone()[0] == len(old)
    finally:
        connection.close()

    # The next run cleans up what the killed one left behind and succeeds.
    fake.faults = []
    # (every old study goes, so the drop needs confirming)
    finished = subprocess.run([*command, "--full", "--accept-removals"], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert not list(tmp_path.glob("trials.sqlite.partial-*"))
    connection = connect_readonly(cache)
    try:
        assert connection.execute("SELECT COUNT(*) FROM studies WHERE removed_run IS NULL").fetchone()[0] == len(new)
    finally:
        connection.close()


def test_a_second_writer_is_refused_while_one_is_running(tmp_path):
    from mstrials.store.cache import CacheError, staged_copy

    cache = tmp_path / "trials.sqlite"
    with staged_copy(cache):
        try:
            with staged_copy(cache):
                raise AssertionError("a second writer got in")
        except CacheError as error:
            assert "already writing" in str(error)
