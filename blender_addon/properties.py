"""The panel's settings (saved with the scene) and the running job's status (window manager)."""

import bpy
from bpy.props import (BoolProperty, CollectionProperty, EnumProperty, FloatProperty, IntProperty,
                       PointerProperty, StringProperty)

TEACHERS = [
    ("owlv2", "OWLv2", "Open-vocabulary detector: one box per part per view (B-VLM)"),
    ("grounding-dino", "Grounding DINO", "Open-vocabulary detector closest to the paper's GLIP (B-VLM), slower"),
    ("clip-b32", "CLIP", "Dense CLIP: per-pixel part probabilities (P-VLM), fastest"),
    ("simulated", "Simulated",
     "Benchmark only: noisy ground truth from the face attribute 'partdistill_truth', not a VLM"),
    ("custom", "Other Model", "A Hugging Face hub id or a directory written by save_pretrained"),
]


class PARTDISTILL_PG_part(bpy.types.PropertyGroup):
    name: StringProperty(name="Part", description="A part's name in plain words, e.g. 'seat'")


class PARTDISTILL_PG_settings(bpy.types.PropertyGroup):
    parts: CollectionProperty(type=PARTDISTILL_PG_part)
    active_part: IntProperty(name="Active Part", default=0)
    category: StringProperty(name="Object", description="What the object is, e.g. 'chair': prompts become "
                             "'the seat of the chair' (empty: the part names alone)")
    teacher: EnumProperty(name="Teacher", items=TEACHERS, default="owlv2")
    custom_teacher: StringProperty(name="Model", description="A hub id (owner/name) or a model directory")
    simulated_kind: EnumProperty(name="Simulated Output", default="box",
                                 items=[("box", "Boxes", "GLIP-like boxes"),
                                        ("pixel", "Pixel Maps", "CLIP-like pixel maps")])
    mode: EnumProperty(name="Mode", default="TTA",
                       items=[("TTA", "Test-Time Alignment", "Distil a student for this object from its views"),
                              ("CHECKPOINT", "Pre-Aligned Student", "Apply a student pre-aligned on a collection")])
    checkpoint: StringProperty(name="Student", subtype="FILE_PATH", description="A pre-aligned student checkpoint")
    num_views: IntProperty(name="Views", default=10, min=1, max=10,
                           description="How many of PartSLIP's ten views around the object to render")
    resolution: IntProperty(name="Resolution", default=512, min=64, max=2048, description="View size in pixels")
    engine: EnumProperty(name="Engine", default="CYCLES",
                         items=[("CYCLES", "Cycles", "Path tracing at low samples, denoising off"),
                                ("EEVEE", "EEVEE", "Rasterised; the first render compiles shaders"),
                                ("WORKBENCH", "Workbench", "Flat studio shading, fastest")])
    samples: IntProperty(name="Samples", default=16, min=1, max=1024)
    render_device: EnumProperty(name="Render Device", default="CPU",
                                items=[("CPU", "CPU", "Render on the CPU"),
                                       ("GPU", "GPU", "Render on the GPU set in Blender's preferences")])
    backward: BoolProperty(name="Backward Distillation", default=True,
                           description="Re-score the teacher's knowledge with the student (paper Eq. 4)")
    num_points: IntProperty(name="Points", default=2048, min=256, max=20000,
                            description="Points sampled on the surface for the student")
    seed: IntProperty(name="Seed", default=0, min=0)


class PARTDISTILL_PG_status(bpy.types.PropertyGroup):
    running: BoolProperty(default=False)
    progress: FloatProperty(default=0.0, min=0.0, max=1.0)
    text: StringProperty(default="")


def register_pointers():
    bpy.types.Scene.partdistill = PointerProperty(type=PARTDISTILL_PG_settings)
    bpy.types.WindowManager.partdistill_status = PointerProperty(type=PARTDISTILL_PG_status)


def unregister_pointers():
    del bpy.types.WindowManager.partdistill_status
    del bpy.types.Scene.partdistill
