"""Atomic publishing: temp folder beside the target, rename into place, `latest` symlink."""

import os

import pytest

from pipelines.lib.publish import staging_dir, sweep_stale


def _publish(root, name, content, run_id):
    with staging_dir(root / name, run_id) as tmp:
        assert tmp.parent == root and tmp.name == f".tmp-{run_id}"
        (tmp / "report.html").write_text(content)
    return root / name


def test_publish_and_latest(tmp_path):
    root = tmp_path / "reports"
    _publish(root, "2024-06-29", "one", "r1")
    out = _publish(root, "2024-06-30", "two", "r2")
    assert (out / "report.html").read_text() == "two"
    latest = root / "latest"
    assert latest.is_symlink() and os.readlink(latest) == "2024-06-30"  # relative
    assert (latest / "report.html").read_text() == "two"
    assert sorted(p.name for p in root.iterdir()) == ["2024-06-29", "2024-06-30", "latest"]


def test_failed_run_leaves_latest_and_previous_untouched(tmp_path):
    root = tmp_path / "reports"
    _publish(root, "2024-06-30", "good", "r1")
    before = os.readlink(root / "latest")
    with pytest.raises(RuntimeError):
        with staging_dir(root / "2024-07-01", "r2") as tmp:
            (tmp / "report.html").write_text("half")
            raise RuntimeError("rules failed")
    with pytest.raises(RuntimeError):  # a failed re-run of the same night
        with staging_dir(root / "2024-06-30", "r3") as tmp:
            (tmp / "report.html").write_text("half")
            raise RuntimeError("rules failed")
    assert os.readlink(root / "latest") == before
    assert (root / "2024-06-30" / "report.html").read_text() == "good"
    assert sorted(p.name for p in root.iterdir()) == ["2024-06-30", "latest"]


def test_same_night_is_replaced(tmp_path):
    root = tmp_path / "reports"
    _publish(root, "2024-06-30", "first", "r1")
    (root / "2024-06-30" / "stale.csv").write_text("x")
    _publish(root, "2024-06-30", "second", "r2")
    assert (root / "2024-06-30" / "report.html").read_text() == "second"
    assert not (root / "2024-06-30" / "stale.csv").exists()
    assert sorted(p.name for p in root.iterdir()) == ["2024-06-30", "latest"]


def test_backfill_does_not_move_latest_backwards(tmp_path):
    root = tmp_path / "reports"
    _publish(root, "2024-06-30", "new", "r1")
    _publish(root, "2024-06-01", "old", "r2")
    assert os.readlink(root / "latest") == "2024-06-30"


def test_explicit_out_dir_without_date_gets_no_latest(tmp_path):
    out = _publish(tmp_path / "elsewhere", "my-audit", "content", "r1")
    assert (out / "report.html").read_text() == "content"
    assert not (tmp_path / "elsewhere" / "latest").exists()
    with staging_dir(tmp_path / "elsewhere" / "forced", "r2", latest=False) as tmp:
        (tmp / "x").write_text("y")
    assert not (tmp_path / "elsewhere" / "latest").exists()


def test_sweep_stale(tmp_path):
    (tmp_path / ".tmp-dead").mkdir()
    os.utime(tmp_path / ".tmp-dead", (0, 0))
    (tmp_path / "2024-06-30").mkdir()
    assert [p.name for p in sweep_stale(tmp_path)] == [".tmp-dead"]
    assert (tmp_path / "2024-06-30").exists()


def test_replacing_a_night_is_one_atomic_switch_and_a_kill_after_it_leaves_latest_valid(tmp_path, monkeypatch):
    """The old and the new folder are exchanged in one step (no moment without the folder, so `latest`
    never dangles); a kill right after the switch leaves the new outputs in place and the old ones in a
    .tmp- folder the next run sweeps."""
    from pipelines.lib import publish as publishing

    root = tmp_path / "reports"
    _publish(root, "2024-06-30", "first", "r1")

    def no_two_step_rename(*args):  # the exchange must not need the old rename-aside-then-rename path
        raise AssertionError("two renames: a kill between them would leave latest dangling")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(publishing.os, "rename", no_two_step_rename)
    monkeypatch.setattr(publishing.shutil, "rmtree", killed)
    try:
        with pytest.raises(KeyboardInterrupt):
            with staging_dir(root / "2024-06-30", "r2") as tmp:
                (tmp / "report.html").write_text("second")
    finally:
        monkeypatch.undo()  # os.rename and shutil.rmtree are the real ones again
    assert (root / "latest" / "report.html").read_text() == "second"
    assert [p.name for p in root.iterdir() if p.name.startswith(".tmp-")] == [".tmp-r2"]
    assert sweep_stale(root) == [root / ".tmp-r2"]  # its writer is gone (no owner file): swept
