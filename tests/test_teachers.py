"""Real VLM teachers on tiny random models: loading, shapes, coordinates, scores, batching, errors."""

import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from partdistill import PartDistillError
from partdistill.teachers import (BoxPrediction, DenseClipTeacher, GroundingDinoTeacher, Owlv2Teacher,
                                  PixelPrediction, load_teacher)
from partdistill.teachers.boxes import boxes_to_pixels, select_boxes
from partdistill.teachers.grounding_dino import phrase_tokens

PROMPTS = ["the back of the chair", "the seat of the chair", "the leg of the chair"]
KINDS = ("clip", "owlv2", "grounding-dino")
# Every box the tiny detectors make, so tests see all of them.
ALL_BOXES = {"score_threshold": 0.0, "nms_iou": None}


def views(count=3, height=40, width=56, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(count)]


def teacher(tiny_vlms, kind, **options):
    if kind != "clip":
        options = {**ALL_BOXES, **options}
    return load_teacher(tiny_vlms[kind], **options)


@pytest.mark.parametrize("kind", KINDS)
def test_teachers_load_offline_and_predict_per_view_shapes(tiny_vlms, offline, kind):
    t = teacher(tiny_vlms, kind)
    assert type(t) is {"clip": DenseClipTeacher, "owlv2": Owlv2Teacher, "grounding-dino": GroundingDinoTeacher}[kind]
    preds = t.predict(views(), PROMPTS)
    assert len(preds) == 3
    for p in preds:
        if t.kind == "pixel":
            assert isinstance(p, PixelPrediction) and p.probs.shape == (40, 56, 3) and p.mask.all()
            assert np.allclose(p.probs.sum(axis=2), 1, atol=1e-5) and p.probs.min() >= 0
        else:
            assert isinstance(p, BoxPrediction) and p.scores.shape == (len(p.xyxy), 3) and len(p.xyxy) > 0
            assert p.scores.min() >= 0 and p.scores.max() <= 1
            assert (p.xyxy >= 0).all() and (p.xyxy[:, [0, 2]] <= 56).all() and (p.xyxy[:, [1, 3]] <= 40).all()
            assert (p.xyxy[:, 2] > p.xyxy[:, 0]).all() and (p.xyxy[:, 3] > p.xyxy[:, 1]).all()


def by_position(pred: BoxPrediction):
    """Boxes in a fixed order (by corners) so runs that rank near-ties differently compare equal."""
    order = np.lexsort(np.round(pred.xyxy, 3).T[::-1])
    return pred.xyxy[order], pred.scores[order]


@pytest.mark.parametrize("kind", KINDS)
def test_permuting_prompts_permutes_scores(tiny_vlms, kind):
    t = teacher(tiny_vlms, kind)
    perm = [2, 0, 1]
    images = views(2)
    plain = t.predict(images, PROMPTS)
    permuted = t.predict(images, [PROMPTS[i] for i in perm])
    for a, b in zip(plain, permuted):
        if t.kind == "pixel":
            assert np.allclose(a.probs[..., perm], b.probs, atol=1e-5)
        else:
            (xa, sa), (xb, sb) = by_position(a), by_position(b)
            assert np.allclose(xa, xb, atol=1e-3) and np.allclose(sa[:, perm], sb, atol=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_equals_one_view_at_a_time_and_runs_repeat_exactly(tiny_vlms, kind):
    t = teacher(tiny_vlms, kind, batch_size=3)
    images = views(3)
    batched = t.predict(images, PROMPTS)
    again = t.predict(images, PROMPTS)
    t.batch_size = 1
    single = t.predict(images, PROMPTS)
    for a, b, c in zip(batched, again, single):
        if t.kind == "pixel":
            assert np.array_equal(a.probs, b.probs)
            assert np.allclose(a.probs, c.probs, atol=1e-5)
        else:
            assert np.array_equal(a.xyxy, b.xyxy) and np.array_equal(a.scores, b.scores)
            (xa, sa), (xc, sc) = by_position(a), by_position(c)
            assert np.allclose(xa, xc, atol=1e-3) and np.allclose(sa, sc, atol=1e-4)


def test_dense_clip_scores_each_patch_against_each_prompt(tiny_vlms):
    t = teacher(tiny_vlms, "clip")
    image = views(1, 4, 4)[0]  # 4 x 4 pixels on the tiny model's 4 x 4 patch grid: one patch per pixel
    (pred,) = t.predict([image], PROMPTS)
    model, processor = t.model, t.processor
    with torch.no_grad():
        pixels = processor.image_processor([image], return_tensors="pt").pixel_values
        hidden = model.vision_model(pixel_values=pixels).last_hidden_state
        tokens = model.visual_projection(model.vision_model.post_layernorm(hidden))
        # the path the patches take is the one CLS takes to CLIP's image embedding
        assert torch.allclose(tokens[:, 0], model.get_image_features(pixel_values=pixels).pooler_output, atol=1e-5)
        text = model.get_text_features(**processor.tokenizer(PROMPTS, padding=True, return_tensors="pt"))
        cos = F.normalize(tokens[0, 1:], dim=-1) @ F.normalize(text.pooler_output, dim=-1).T
        expected = (model.logit_scale.exp() * cos).softmax(dim=-1).reshape(4, 4, 3)  # patches row by row
    assert np.allclose(pred.probs, expected.numpy(), atol=1e-5)


def test_model_boxes_map_to_pixels_of_a_non_square_view():
    # A 100 x 60 view (W x H). OWLv2 sees it padded to 100 x 100 at the bottom: normalised boxes
    # scale by 100 on both axes and whatever lies in the padding is clipped away.
    boxes = np.array([[0.5, 0.3, 0.2, 0.2], [0.1, 0.55, 0.2, 0.2], [0.5, 0.8, 0.2, 0.2]])
    owl = boxes_to_pixels(boxes, (100, 100), (100, 60))
    assert np.allclose(owl, [[40, 20, 60, 40], [0, 45, 20, 60], [40, 60, 60, 60]])
    # Grounding DINO's boxes are relative to the view itself.
    gd = boxes_to_pixels(boxes, (100, 60), (100, 60))
    assert np.allclose(gd, [[40, 12, 60, 24], [0, 27, 20, 39], [40, 42, 60, 54]])


class FixedOutput(torch.nn.Module):
    """Stands in for a detector: the same boxes and logits for every image, whatever it shows."""

    def __init__(self, config, boxes, logits):
        super().__init__()
        self.config = config
        self.boxes, self.logits = torch.as_tensor(boxes), torch.as_tensor(logits)

    def forward(self, pixel_values, **_):
        count = len(pixel_values)
        return SimpleNamespace(pred_boxes=self.boxes.expand(count, -1, -1),
                               logits=self.logits.expand(count, -1, -1))


def test_owlv2_teacher_puts_model_boxes_on_the_rendered_view(tiny_vlms):
    t = teacher(tiny_vlms, "owlv2")
    # Two patch boxes, scored against 2 prompts; the second lies in the square's bottom padding.
    t.model = FixedOutput(t.model.config, [[[0.5, 0.3, 0.2, 0.2], [0.5, 0.9, 0.2, 0.1]]],
                          [[[2.0, -2.0], [3.0, -3.0]]])
    (pred,) = t.predict([np.zeros((60, 100, 3), np.uint8)], ["leg", "seat"])
    assert np.allclose(pred.xyxy, [[40, 20, 60, 40]])
    assert np.allclose(pred.scores, [[1 / (1 + np.exp(-2)), 1 / (1 + np.exp(2))]])


def test_grounding_dino_teacher_scales_boxes_by_each_views_own_size(tiny_vlms):
    t = teacher(tiny_vlms, "grounding-dino")
    logits = torch.full((1, 1, 256), -10.0)
    logits[0, 0, 1] = 4.0  # the first caption token after [CLS]: the first prompt's word
    t.model = FixedOutput(t.model.config, [[[0.5, 0.5, 0.2, 0.2]]], logits)
    # Differently sized views in one batch: the processor pads them to a common size.
    preds = t.predict([np.zeros((60, 100, 3), np.uint8), np.zeros((80, 40, 3), np.uint8)], ["leg", "seat"])
    assert np.allclose(preds[0].xyxy, [[40, 24, 60, 36]]) and np.allclose(preds[1].xyxy, [[16, 32, 24, 48]])
    assert preds[0].scores[0, 0] == pytest.approx(1 / (1 + np.exp(-4))) and preds[0].scores[0, 1] < 1e-4


def test_threshold_keeps_boxes_by_best_prompt_score_and_nms_works_per_prompt():
    xyxy = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [50, 50, 60, 60], [5, 5, 5, 9]], float)
    scores = np.array([[0.6, 0.1], [0.55, 0.2], [0.1, 0.5], [0.3, 0.4], [0.9, 0.0]], np.float32)
    kept, s = select_boxes(xyxy, scores, threshold=0.5, nms_iou=None)
    assert np.allclose(s.max(axis=1), [0.6, 0.55, 0.5])  # best first; 0.4 is below; zero area dropped
    kept, s = select_boxes(xyxy, scores, threshold=0.5, nms_iou=0.5)
    # box 1 overlaps box 0 with the same best prompt and goes; box 2 overlaps but names another part
    assert np.allclose(kept, xyxy[[0, 2]]) and np.allclose(s, scores[[0, 2]])


def test_grounding_dino_scores_prompts_by_the_tokens_they_do_not_share(tiny_vlms):
    from tiny_vlms import bert_tokenizer

    tok = bert_tokenizer()
    ids = tok("the back of the chair. the seat of the chair.", return_tensors="pt")["input_ids"][0]
    back, seat = phrase_tokens(ids, tok.convert_tokens_to_ids("."), 2)
    assert tok.convert_ids_to_tokens(ids[back]) == ["back"] and tok.convert_ids_to_tokens(ids[seat]) == ["seat"]
    (alone,) = phrase_tokens(tok("the back of the chair.", return_tensors="pt")["input_ids"][0], 1012, 1)
    assert len(alone) == 5  # one prompt shares nothing with another: all its tokens count


def test_masks_paint_the_background_and_mark_object_pixels(tiny_vlms):
    t = teacher(tiny_vlms, "clip")
    image = views(1)[0]
    mask = np.zeros(image.shape[:2], bool)
    mask[10:30, 15:40] = True
    white = np.where(mask[..., None], image, 255).astype(np.uint8)
    (masked,) = t.predict([image], PROMPTS, masks=[mask])
    (clean,) = t.predict([white], PROMPTS, masks=[mask])
    (alpha,) = t.predict([np.dstack([image, 255 * mask.astype(np.uint8)])], PROMPTS)
    assert np.array_equal(masked.mask, mask) and np.array_equal(alpha.mask, mask)
    assert np.allclose(masked.probs, clean.probs) and np.allclose(alpha.probs, clean.probs)
    (as_float,) = t.predict([white / 255.0], PROMPTS, masks=[mask])
    assert np.allclose(as_float.probs, clean.probs)


def test_clip_runs_in_a_chosen_dtype(tiny_vlms):
    t = teacher(tiny_vlms, "clip", dtype="bfloat16", device="cpu")
    assert next(t.model.parameters()).dtype == torch.bfloat16
    (pred,) = t.predict(views(1), PROMPTS)
    assert np.allclose(pred.probs.sum(axis=2), 1, atol=1e-3)


@pytest.mark.parametrize("images,prompts,masks,message", [
    ([np.full((8, 8, 3), 2.0)], ["leg"], None, "finite values in [0, 1]"),
    ([np.zeros((8, 8), np.uint8)], ["leg"], None, "(H, W, 3)"),
    ([np.zeros((8, 8, 3), np.uint8)], "leg", None, "list of non-empty strings"),
    ([np.zeros((8, 8, 3), np.uint8)], ["leg"], [np.ones((4, 4), bool)], "does not match"),
    ([], ["leg"], None, "no views"),
])
def test_bad_inputs_are_clear_errors(tiny_vlms, images, prompts, masks, message):
    with pytest.raises(PartDistillError, match=re.escape(message)):
        teacher(tiny_vlms, "clip").predict(images, prompts, masks)


def test_prompts_a_model_cannot_read_are_clear_errors(tiny_vlms):
    with pytest.raises(PartDistillError, match="at most 16 tokens"):
        teacher(tiny_vlms, "owlv2").predict(views(1), ["supercalifragilistic"])
    with pytest.raises(PartDistillError, match="splits its caption"):
        teacher(tiny_vlms, "grounding-dino").predict(views(1), ["leg. seat"])
    with pytest.raises(PartDistillError, match="reads at most 256; use fewer or shorter prompts"):
        teacher(tiny_vlms, "grounding-dino").predict(views(1), ["the back of the chair"] * 60)


def test_missing_model_names_it_and_the_download_command(offline):
    with pytest.raises(PartDistillError) as err:
        DenseClipTeacher.load()
    message = str(err.value)
    assert "openai/clip-vit-base-patch32" in message
    assert f"partdistill models download clip-b32 --dir {offline}" in message
    with pytest.raises(PartDistillError, match="partdistill models download someone/detector"):
        load_teacher("someone/detector", allow_download=True)  # HF_HUB_OFFLINE wins over allow_download


def test_wrong_or_incomplete_model_directories_are_clear_errors(tiny_vlms, tmp_path):
    with pytest.raises(PartDistillError, match="is a 'clip' model but Owlv2Teacher runs 'owlv2'"):
        Owlv2Teacher.load(str(tiny_vlms["clip"]))
    (tmp_path / "config.json").write_text('{"model_type": "clip"}')
    with pytest.raises(PartDistillError, match="incomplete: weights"):
        load_teacher(str(tmp_path))
    with pytest.raises(PartDistillError, match="not a registered name"):
        load_teacher("./no/such/dir")
