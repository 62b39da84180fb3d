import os
import time

from webinar_tray.runtime.housekeeping import prune_evidence


def test_old_screenshots_go_new_ones_and_other_files_stay(tmp_path):
    now = time.time()
    old, new, other = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "notes.txt"
    for f in (old, new, other):
        f.write_bytes(b"x")
    os.utime(old, (now - 91 * 86400, now - 91 * 86400))
    os.utime(other, (now - 91 * 86400, now - 91 * 86400))
    assert prune_evidence(tmp_path, 90, now) == 1
    assert not old.exists() and new.exists() and other.exists()


def test_zero_keeps_everything_and_a_missing_folder_is_fine(tmp_path):
    f = tmp_path / "a.png"
    f.write_bytes(b"x")
    os.utime(f, (0, 0))
    assert prune_evidence(tmp_path, 0) == 0 and f.exists()
    assert prune_evidence(tmp_path / "nope", 90) == 0
