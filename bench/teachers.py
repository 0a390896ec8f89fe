"""Cost of each VLM teacher per view on this machine, at the real architectures' sizes.

The weights cannot be downloaded here, so every model is built randomly initialised from its
published configuration, reproduced below from the released config.json / preprocessor_config.json
values (layer counts, widths, heads, patch and image sizes, query and token counts): compute and
memory match the released models; the outputs are meaningless. Tokenizers are small in-memory ones
(tests/tiny_vlms.py); tokenising is negligible next to the image encoders. Each teacher runs in
its own process so that its peak resident memory is its own.

    .venv/bin/python bench/teachers.py [--views 3] [--size 800] [--batch-size 1] [--only owlv2]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tiny_vlms import bert_tokenizer, clip_tokenizer  # noqa: E402

from partdistill.geometry.cameras import PARTSLIP_VIEWS  # noqa: E402
from partdistill.geometry.sampling import sample_surface  # noqa: E402
from partdistill.pointviews import render_point_views  # noqa: E402
from partdistill.report import machine, markdown_table  # noqa: E402
from partdistill.samples import make_shape  # noqa: E402
from partdistill.teachers import preset_prompts  # noqa: E402

# openai/clip-vit-base-patch32 and -patch16: ViT-B vision tower, 12-layer 512-wide text tower.
CLIP_TEXT = dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                 num_attention_heads=8, max_position_embeddings=77, hidden_act="quick_gelu")
CLIP_VISION = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                   image_size=224, hidden_act="quick_gelu")
# google/owlv2-base-patch16-ensemble: the same towers, 960-pixel images, 16-token queries.
OWLV2_TEXT = {**CLIP_TEXT, "max_position_embeddings": 16}
OWLV2_VISION = {**CLIP_VISION, "image_size": 960, "patch_size": 16}
# IDEA-Research/grounding-dino-tiny: Swin-T backbone, BERT-base text encoder, 6 + 6 layers of
# width 256, 900 queries, 256 text tokens, 4 feature levels; images resized to 800 (max 1333).
SWIN_T = dict(model_type="swin", embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24], window_size=7,
              image_size=224, out_features=["stage2", "stage3", "stage4"])
BERT_BASE = dict(model_type="bert", vocab_size=30522, hidden_size=768, num_hidden_layers=12,
                 num_attention_heads=12, intermediate_size=3072, max_position_embeddings=512)
GROUNDING_DINO_TINY = dict(d_model=256, encoder_layers=6, decoder_layers=6, encoder_ffn_dim=2048,
                           decoder_ffn_dim=2048, encoder_attention_heads=8, decoder_attention_heads=8,
                           num_queries=900, num_feature_levels=4, encoder_n_points=4, decoder_n_points=4,
                           two_stage=True, max_text_len=256)

TEACHERS = ("clip-b32", "clip-b16", "owlv2", "grounding-dino")


def build(name: str, batch_size: int):
    """A randomly initialised teacher of the named real model's size."""
    import torch
    import transformers as tf

    from partdistill.teachers import DenseClipTeacher, GroundingDinoTeacher, Owlv2Teacher

    torch.manual_seed(0)
    if name.startswith("clip"):
        tok = clip_tokenizer()
        ids = dict(bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
        vision = {**CLIP_VISION, "patch_size": 32 if name == "clip-b32" else 16}
        model = tf.CLIPModel(tf.CLIPConfig(text_config={**CLIP_TEXT, **ids}, vision_config=vision, projection_dim=512))
        return DenseClipTeacher(model, tf.CLIPProcessor(image_processor=tf.CLIPImageProcessor(), tokenizer=tok),
                                device="cpu", batch_size=batch_size)
    if name == "owlv2":
        tok = clip_tokenizer(16)
        ids = dict(bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
        model = tf.Owlv2ForObjectDetection(tf.Owlv2Config(text_config={**OWLV2_TEXT, **ids},
                                                          vision_config=OWLV2_VISION, projection_dim=512))
        return Owlv2Teacher(model, tf.Owlv2Processor(image_processor=tf.Owlv2ImageProcessor(), tokenizer=tok),
                            device="cpu", batch_size=batch_size)
    model = tf.GroundingDinoForObjectDetection(
        tf.GroundingDinoConfig(backbone_config=SWIN_T, text_config=BERT_BASE, **GROUNDING_DINO_TINY))
    processor = tf.GroundingDinoProcessor(image_processor=tf.GroundingDinoImageProcessor(), tokenizer=bert_tokenizer())
    return GroundingDinoTeacher(model, processor, device="cpu", batch_size=batch_size)


def chair_views(count: int, size: int):
    """count PartSLIP views of a procedural chair, coloured by part on white, with object masks."""
    mesh = make_shape("chair", seed=0)
    points, faces, _ = sample_surface(mesh, 2048, seed=0)
    views = render_point_views(points, size=size, views=PARTSLIP_VIEWS[:count])
    palette = np.array([[200, 60, 50], [60, 160, 70], [50, 90, 200], [220, 180, 40]], dtype=np.uint8)
    labels = views.point_images(mesh.face_labels[faces])
    images = [np.where(lab[..., None] >= 0, palette[np.maximum(lab, 0)], np.uint8(255)) for lab in labels]
    return images, [r.mask for r in views.renders]


def measure(name: str, views: int, size: int, batch_size: int) -> dict:
    """Build, warm up on one view, then time `views` views; peak RSS of this process."""
    images, masks = chair_views(views, size)
    prompts = preset_prompts("chair")
    start = time.perf_counter()
    teacher = build(name, batch_size)
    built = time.perf_counter() - start
    params = sum(p.numel() for p in teacher.model.parameters())
    teacher.predict(images[:1], prompts, masks=masks[:1])
    start = time.perf_counter()
    teacher.predict(images, prompts, masks=masks)
    per_view = (time.perf_counter() - start) / views
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"teacher": name, "kind": teacher.kind, "params_m": params / 1e6, "build_s": built,
            "per_view_s": per_view, "peak_rss_mib": peak_mib}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", type=int, default=3, help="views timed per teacher (after one warm-up view)")
    parser.add_argument("--size", type=int, default=800, help="rendered view size in pixels (PartSLIP: 800)")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--only", choices=TEACHERS, action="append", help="run only these teachers")
    parser.add_argument("--child", choices=TEACHERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.views, args.size, args.batch_size)))
        return
    print(f"machine: {machine()}")
    print(f"command: python bench/teachers.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"{args.views} views of {args.size}x{args.size} px after one warm-up view, batch size {args.batch_size}, "
          "random weights at the released models' sizes, one process per teacher")
    print("load average at start (other processes share these cores): "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    rows = []
    for name in args.only or TEACHERS:
        command = [sys.executable, __file__, "--child", name, "--views", str(args.views), "--size", str(args.size),
                   "--batch-size", str(args.batch_size)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((r["teacher"], r["kind"], f"{r['params_m']:.0f}", f"{r['build_s']:.1f}", f"{r['per_view_s']:.2f}",
                     f"{r['peak_rss_mib']:.0f}"))
        print(f"  {name}: {r['per_view_s']:.2f} s/view", file=sys.stderr, flush=True)
    print(markdown_table(["teacher", "kind", "params (M)", "build s", "s / view", "peak RSS MiB"], rows))


if __name__ == "__main__":
    main()
