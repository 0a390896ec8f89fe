"""Point-M2AE encoder: shapes, determinism, and loading checkpoints in the official key layout."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from partdistill.errors import PartDistillError
from partdistill.student.point_m2ae import (
    LoadReport,
    PointM2AEConfig,
    PointM2AEEncoder,
    load_point_m2ae,
    official_key,
    official_state_dict,
)
from partdistill.student.point_m2ae_blocks import MASKED_LOGIT, interpolate, local_attention_bias

TINY = PointM2AEConfig(
    num_centres=(32, 16, 8), group_sizes=(8, 4, 4), dims=(12, 24, 48), depths=(1, 2, 1), num_heads=3,
    radii=(0.5, 0.8, 1.5),
)
# Decoder weights of the official pre-training model, which the encoder drops.
DECODER_KEYS = {
    "mask_token": torch.zeros(1, 48),
    "h_decoder.0.blocks.0.norm1.weight": torch.ones(48),
    "decoder_pos_embeds.0.0.weight": torch.zeros(48, 3),
    "rec_head.weight": torch.zeros(48, 48, 1),
}


def _cloud(n=128, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pts = rng.normal(size=(n, 3))
    return pts / np.linalg.norm(pts, axis=1).max()


def _random_encoder(config=TINY, seed=0) -> PointM2AEEncoder:
    """An encoder whose every float tensor, BatchNorm statistics included, is random."""
    torch.manual_seed(seed)
    enc = PointM2AEEncoder(config)
    with torch.no_grad():
        for name, t in enc.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5 if name.endswith("running_var") else torch.randn_like(t) * 0.2)
    return enc.eval()


def _save(tmp_path, state, name="ckpt.pth"):
    path = tmp_path / name
    torch.save(state, path)
    return path


def _official_checkpoint(enc) -> dict:
    """What the official trainer writes: the model's state dict under base_model, plus extras."""
    return {"base_model": {**official_state_dict(enc), **DECODER_KEYS}, "epoch": 299}


def test_forward_shape_and_out_dim():
    enc = _random_encoder()
    pts = torch.as_tensor(np.stack([_cloud(seed=0), _cloud(seed=1)]), dtype=torch.float32)
    with torch.no_grad():
        out = enc(pts)
    assert enc.out_dim == TINY.out_dim == 3 + 12 + 24 + 48
    assert out.shape == (2, 128, enc.out_dim)
    assert torch.equal(out[..., :3], pts)  # xyz come first
    assert torch.isfinite(out).all()


def test_point_features_deterministic_and_keeps_mode():
    enc = _random_encoder()
    enc.train()
    pts = _cloud()
    a, b = enc.point_features(pts), enc.point_features(pts)
    assert a.dtype == np.float32 and a.shape == (128, enc.out_dim)
    np.testing.assert_array_equal(a, b)
    assert enc.training  # restored after the eval-mode pass
    with torch.no_grad():
        batched = enc.eval()(torch.as_tensor(pts[None], dtype=torch.float32))[0].numpy()
    np.testing.assert_allclose(a, batched, atol=1e-6)


@pytest.mark.parametrize("layout", ["base_model", "model", "bare", "dataparallel"])
def test_official_layout_round_trip(tmp_path, layout):
    enc = _random_encoder()
    state = {**official_state_dict(enc), **DECODER_KEYS}
    wrapped = {
        "base_model": {"base_model": state, "epoch": 299},
        "model": {"model": state},
        "bare": state,
        "dataparallel": {"base_model": {f"module.{k}": v for k, v in state.items()}},
    }[layout]
    loaded, report = load_point_m2ae(_save(tmp_path, wrapped), TINY, strict=True)
    assert report.missing == () and report.unexpected == ()
    assert sorted(k.removeprefix("module.") for k in report.ignored) == sorted(DECODER_KEYS)
    assert not loaded.training
    pts = _cloud(seed=3)
    np.testing.assert_array_equal(loaded.point_features(pts), enc.point_features(pts))


def test_key_table_names_every_weight_officially():
    enc = _random_encoder()
    names = list(official_state_dict(enc))
    assert len(names) == len(enc.state_dict())
    assert all(n.startswith("h_encoder.") for n in names)
    assert "h_encoder.token_embed.0.first_conv.1.running_mean" in names
    assert "h_encoder.encoder_pos_embeds.2.2.weight" in names
    assert "h_encoder.encoder_blocks.1.blocks.1.attn.qkv.weight" in names
    assert "h_encoder.encoder_norms.2.bias" in names
    assert official_key("stages.1.blocks.0.mlp.fc2.weight") == "h_encoder.encoder_blocks.1.blocks.0.mlp.fc2.weight"


def test_checkpoint_of_another_size_names_the_key(tmp_path):
    path = _save(tmp_path, _official_checkpoint(_random_encoder()))
    wider = replace(TINY, dims=(12, 24, 60))
    with pytest.raises(PartDistillError) as err:
        load_point_m2ae(path, wider)
    msg = str(err.value)
    assert "h_encoder.token_embed.2.second_conv.0.weight" in msg
    assert "(48, 48, 1)" in msg and "(60, 48, 1)" in msg


def test_unrelated_checkpoint_raises(tmp_path):
    path = _save(tmp_path, {"model": {"backbone.conv1.weight": torch.zeros(8, 3), "fc.bias": torch.zeros(2)}})
    with pytest.raises(PartDistillError, match="not a Point-M2AE checkpoint"):
        load_point_m2ae(path, TINY)


def test_unreadable_or_absent_file_raises(tmp_path):
    with pytest.raises(PartDistillError, match="no checkpoint file"):
        load_point_m2ae(tmp_path / "absent.pth", TINY)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(PartDistillError, match="cannot read"):
        load_point_m2ae(junk, TINY)


def test_missing_keys_reported_and_strict_raises(tmp_path):
    ckpt = _official_checkpoint(_random_encoder())
    del ckpt["base_model"]["h_encoder.encoder_norms.1.weight"]
    del ckpt["base_model"]["h_encoder.encoder_pos_embeds.0.0.bias"]
    path = _save(tmp_path, ckpt)
    _, report = load_point_m2ae(path, TINY)
    assert isinstance(report, LoadReport)
    assert set(report.missing) == {"stages.1.norm.weight", "stages.0.pos_embed.0.bias"}
    with pytest.raises(PartDistillError, match="stages.1.norm.weight"):
        load_point_m2ae(path, TINY, strict=True)


def test_deeper_checkpoint_reports_extra_blocks(tmp_path):
    deeper = replace(TINY, depths=(2, 2, 1))
    path = _save(tmp_path, _official_checkpoint(_random_encoder(deeper)))
    _, report = load_point_m2ae(path, TINY)
    assert report.missing == ()
    assert report.unexpected and all(k.startswith("h_encoder.encoder_blocks.0.blocks.1.") for k in report.unexpected)
    with pytest.raises(PartDistillError, match="unexpected"):
        load_point_m2ae(path, TINY, strict=True)


def test_released_config_has_published_sizes():
    cfg = PointM2AEConfig.released()
    assert cfg.num_centres == (512, 256, 64) and cfg.group_sizes == (16, 8, 8)
    assert cfg.dims == (96, 192, 384) and cfg.depths == (5, 5, 5) and cfg.num_heads == 6
    assert cfg.radii == (0.32, 0.64, 1.28) and cfg.out_dim == 675
    enc = PointM2AEEncoder(cfg)
    assert sum(p.numel() for p in enc.parameters()) == 12_654_976


def test_local_attention_bias_masks_far_centres():
    centres = torch.tensor([[[0.0, 0, 0], [0.1, 0, 0], [1.0, 0, 0]]])
    bias = local_attention_bias(centres, radius=0.5)
    assert bias.shape == (1, 1, 3, 3)
    expected = torch.tensor([[0.0, 0, MASKED_LOGIT], [0, 0, MASKED_LOGIT], [MASKED_LOGIT, MASKED_LOGIT, 0]])
    assert torch.equal(bias[0, 0], expected)


def test_global_attention_flag_changes_features():
    enc = _random_encoder()
    glob = PointM2AEEncoder(replace(TINY, local_attention=False))
    glob.load_state_dict(enc.state_dict())
    pts = _cloud()
    assert not np.allclose(enc.point_features(pts), glob.point_features(pts))


def test_interpolation_reproduces_features_at_centres():
    centres = torch.rand(1, 10, 3)
    feats = torch.randn(1, 10, 4)
    out = interpolate(centres, centres, feats)
    torch.testing.assert_close(out, feats, atol=1e-4, rtol=0)


def test_bad_inputs_and_configs_raise():
    enc = _random_encoder()
    with pytest.raises(PartDistillError, match="at least 32 points"):
        enc.point_features(_cloud(n=20))
    with pytest.raises(PartDistillError, match=r"\(B, N, 3\)"):
        enc(torch.zeros(128, 3))
    with pytest.raises(PartDistillError, match="one entry per stage"):
        PointM2AEConfig(dims=(96, 192))
    with pytest.raises(PartDistillError, match="multiple of num_heads"):
        PointM2AEConfig(num_heads=5)
    with pytest.raises(PartDistillError, match="stage 1"):
        PointM2AEConfig(num_centres=(64, 128, 32))
