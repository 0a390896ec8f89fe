"""The worker boundary: request/response files, one JSON message per line, cancel by a file."""

import json
import subprocess
import sys

import numpy as np
import pytest

from job_views import chair_request
from partdistill import worker
from partdistill.jobs.protocol import (CANCEL_FILE, RESPONSE_FILE, ProtocolError, SegmentResult, read_request,
                                       read_response, read_result, write_call, write_request, write_result)


@pytest.fixture(scope="module")
def chair():
    return chair_request(size=48, num_points=256)


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_request_files_round_trip(chair, tmp_path):
    write_request(tmp_path, chair, job="abc")
    back = read_request(tmp_path / "request.json")
    assert back.part_names == chair.part_names and back.teacher == chair.teacher
    np.testing.assert_array_equal(back.faces, chair.faces)
    np.testing.assert_array_equal(back.face_labels, chair.face_labels)
    assert back.target_vertices is None and len(back.views) == len(chair.views)
    for a, b in zip(back.views, chair.views):
        for key in ("image", "depth", "mask", "K", "world_to_cam"):
            np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
    assert json.loads((tmp_path / "request.json").read_text())["job"] == "abc"


def test_result_files_round_trip_atomically(tmp_path):
    result = SegmentResult(("a", "b"), np.eye(2, dtype=np.float32), np.array([0, 1]), np.array([3, 4]),
                           np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8), {"distill": 1.5}, "t", "n", 7, 0.5)
    write_result(tmp_path, result)
    back = read_result(tmp_path / RESPONSE_FILE)
    assert back.part_names == ("a", "b") and back.seconds == {"distill": 1.5} and back.num_units == 7
    np.testing.assert_array_equal(back.part_colors, result.part_colors)
    assert not list(tmp_path.glob("*.tmp"))


def test_a_request_of_another_version_is_refused(tmp_path, capsys):
    write_call(tmp_path, "presets", job="old")
    body = json.loads((tmp_path / "request.json").read_text())
    (tmp_path / "request.json").write_text(json.dumps({**body, "version": 99}))
    assert worker.run(tmp_path / "request.json") == worker.EXIT_BAD_REQUEST
    (msg,) = lines(capsys.readouterr().out)
    assert msg["type"] == "error" and "version 99" in msg["text"]
    with pytest.raises(ProtocolError, match="version"):
        read_request(tmp_path / "request.json")


def test_cameras_and_presets_requests(tmp_path, capsys):
    write_call(tmp_path / "cam", "cameras", job="c", center=[0, 0, 1], radius=2.0, width=32, height=24, num_views=3)
    assert worker.run(tmp_path / "cam" / "request.json") == worker.EXIT_OK
    cams = read_response(tmp_path / "cam" / RESPONSE_FILE, "cameras")["cameras"]
    assert len(cams) == 3 and np.shape(cams[0]["K"]) == (3, 3) and np.shape(cams[0]["world_to_cam"]) == (4, 4)
    write_call(tmp_path / "pre", "presets", job="p")
    assert worker.run(tmp_path / "pre" / "request.json") == worker.EXIT_OK
    presets = read_response(tmp_path / "pre" / RESPONSE_FILE, "presets")["presets"]
    chair = next(p for p in presets if p["id"] == "shapenetpart:Chair")
    assert chair["parts"] == ["back", "seat", "leg", "armrest"] and chair["category"] == "chair"
    assert any(p["dataset"] == "PartNet-E" and p["category"] == "storage furniture" for p in presets)
    assert [m["type"] for m in lines(capsys.readouterr().out)] == ["result", "result"]


def test_a_bad_request_is_an_error_message(chair, tmp_path, capsys):
    from dataclasses import replace
    write_request(tmp_path, replace(chair, part_names=("seat", "seat", "leg", "arm")), job="bad")
    assert worker.run(tmp_path / "request.json") == worker.EXIT_ERROR
    (msg,) = lines(capsys.readouterr().out)
    assert msg == {"version": 1, "type": "error", "job": "bad", "text": msg["text"]} and "must differ" in msg["text"]
    assert not (tmp_path / RESPONSE_FILE).exists()


def test_worker_process_runs_a_segment_request(chair, tmp_path):
    request = write_request(tmp_path, chair, job="w1")
    proc = subprocess.run([sys.executable, "-m", "partdistill.worker", str(request)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == worker.EXIT_OK, proc.stderr
    messages = lines(proc.stdout)
    assert [m["type"] for m in messages] == ["progress"] * 5 + ["result"]
    assert [m["step"] for m in messages[:-1]] == [1, 2, 3, 4, 5] and {m["job"] for m in messages} == {"w1"}
    result = read_result(messages[-1]["response"])
    assert result.vertex_probs.shape == (len(chair.vertices), 4) and result.notice


def test_worker_stops_between_steps_when_the_cancel_file_appears(chair, tmp_path, capsys):
    request = write_request(tmp_path, chair, job="w2")
    (tmp_path / CANCEL_FILE).touch()
    assert worker.run(request) == worker.EXIT_CANCELLED
    messages = lines(capsys.readouterr().out)
    assert [m["type"] for m in messages] == ["progress", "cancelled"]
    assert not (tmp_path / RESPONSE_FILE).exists()
