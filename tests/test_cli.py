import numpy as np
from PIL import Image

from partdistill.cli import main


def test_demo_writes_table_and_picture(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--points", "512", "--only", "samples"]) == 0
    out = capsys.readouterr().out
    assert "SIMULATED TEACHER" in out
    assert "| chair |" in out and "| airplane |" in out
    img = np.asarray(Image.open(tmp_path / "segmentation.png"))
    assert img.shape[0] > 256 * 5 and img.shape[2] == 3
    assert (img < 250).any(axis=2).mean() > 0.02  # something was drawn, not a blank canvas
    assert not list(tmp_path.glob("*.tmp.png"))
    assert "add-on stage" not in out and not (tmp_path / "chair.glb").exists()  # --only samples


def test_demo_bad_argument_is_a_clear_error(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--preset", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "unknown simulated-teacher preset" in err and "glip" in err
