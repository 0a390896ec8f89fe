"""A run's numbers: metrics.json, a table laid out like the paper's Tables 1 / 2 (categories as
columns, methods as rows, the metric convention named), and Fig. 4-style pictures."""

import numpy as np

from .. import metrics
from ..report import markdown_table
from ..viz import save_grid

METHODS = {"vote": "teacher vote", "tta": "PartDistill TTA (ours)", "pre": "PartDistill Pre (ours)"}
DATASET_TITLES = {"shapenetpart": "ShapeNetPart", "partnete": "PartNet-E"}


def finished(store, outcome) -> list:
    """(ref, record) of every test shape of the run that has results, in run order."""
    out = []
    for refs in outcome.refs.values():
        for ref in refs:
            record = store.load(ref.category, ref.shape_id)
            if record is not None:
                out.append((ref, record))
    return out


def shape_score(record, method: str, convention: str) -> float:
    """ShapeNetPart: the shape's mIoU (absent part = 1). PartNet-E: mean IoU over the parts its
    ground truth holds (the per-shape view of the PartSLIP convention)."""
    pred, gt, R = record["labels"][method], record["gt"], record["meta"]["num_parts"]
    if convention == metrics.SHAPENET:
        return metrics.shape_miou(pred, gt, R)
    present = np.unique(gt[gt >= 0])
    return float(metrics.part_ious(pred, gt, R)[present].mean())


def summarise(records, convention: str) -> dict:
    """{method: {"categories": {name: mIoU}, "overall": ..., "instance": ... (ShapeNetPart), "shapes": n}}."""
    out = {}
    for method in METHODS:
        rs = [(ref, rec) for ref, rec in records if method in rec["labels"]]
        if not rs:
            continue
        if convention == metrics.SHAPENET:
            s = metrics.shapenet_summary([(ref.category, shape_score(rec, method, convention)) for ref, rec in rs])
            entry = {"overall": s["class_miou"], "instance": s["instance_miou"]}
        else:
            s = metrics.partnete_summary([(ref.category, rec["labels"][method], rec["gt"], rec["meta"]["num_parts"])
                                          for ref, rec in rs])
            entry = {"overall": s["overall_miou"]}
        out[method] = {"categories": s["categories"], **entry, "shapes": len(rs)}
    return out


def payload(records, outcome, convention: str, header: dict) -> dict:
    """metrics.json: the header (dataset, teacher, settings, notice), per-method summaries,
    per-shape scores, skipped shapes with reasons and the run's notes."""
    shapes = [{"category": ref.category, "shape_id": ref.shape_id, "coverage": rec["meta"]["coverage"],
               "units": rec["meta"]["units"],
               **{m: shape_score(rec, m, convention) for m in METHODS if m in rec["labels"]}}
              for ref, rec in records]
    return {**header, "convention": convention, "methods": summarise(records, convention), "shapes": shapes,
            "skipped": [{"category": ref.category, "shape_id": ref.shape_id, "reason": reason}
                        for ref, reason in outcome.skipped],
            "notes": list(outcome.notes)}


def markdown(p: dict) -> str:
    """The paper-style table in %, with the caption lines that say what the numbers are."""
    methods = p["methods"]
    categories = sorted({c for m in methods.values() for c in m["categories"]})
    shapenet = p["convention"] == metrics.SHAPENET
    # The table itself says SIMULATED, so that no copy of it can pass for a VLM's numbers.
    first = "method (SIMULATED teacher)" if p.get("simulated") else "method"
    header = [first] + categories + ["Overall"] + (["Instance"] if shapenet else [])
    rows, partial = [], False
    for key, m in methods.items():
        cats = m["categories"]
        mark = "" if set(cats) == set(categories) else "*"
        partial |= bool(mark)
        row = [METHODS[key]] + [100 * cats[c] if c in cats else None for c in categories]
        row += [f"{100 * m['overall']:.1f}{mark}"] + ([f"{100 * m['instance']:.1f}{mark}"] if shapenet else [])
        rows.append(row)
    counts = {c: 0 for c in categories}
    for s in p["shapes"]:
        counts[s["category"]] += 1
    rows.append(["test shapes"] + [counts[c] for c in categories] + [sum(counts.values())]
                + ([""] if shapenet else []))
    lines = [f"{DATASET_TITLES[p['dataset']]}, zero-shot, 3D mIoU %; {p['convention']}.",
             f"Overall = mean over the {len(categories)} categories evaluated here"
             + ("; Instance = mean over shapes." if shapenet else "."),
             f"Teacher: {p['teacher']}; {p['views']} views at {p['resolution']} px, renderer {p['renderer']}; "
             f"{p['points']} points per shape; distillation config {p['config']!r}, backward {p['backward']}."]
    if p.get("notice"):
        lines.append(f"**{p['notice']}**")
    lines += ["", markdown_table(header, rows)]
    if partial:
        lines.append("\n\\* over the categories that have this method's result only.")
    for note in p["notes"]:
        lines.append(f"\n- {note}")
    if p.get("figures"):
        lines.append("\nFigures (ground truth, teacher vote, ours): " + ", ".join(p["figures"]))
    if p["skipped"]:
        lines.append(f"\n{len(p['skipped'])} shape(s) skipped (unreadable; reasons in metrics.json):")
        lines += [f"- {s['category']} {s['shape_id']}: {s['reason']}" for s in p["skipped"][:20]]
    return "\n".join(lines) + "\n"


def figures(records, out_dir, count: int, notice: str = "") -> list:
    """Up to `count` shapes, one per category first: ground truth, teacher vote, ours (TTA / Pre)
    in part colours; grey = no label. One PNG per shape under out_dir."""
    firsts = {}
    for i, (ref, _) in enumerate(records):
        firsts.setdefault(ref.category, i)
    order = list(firsts.values()) + [i for i in range(len(records)) if i not in firsts.values()]
    chosen = [records[i] for i in order]
    footer = notice.replace("; ", ";\n")  # the notice is wider than three pictures
    paths = []
    for ref, rec in chosen[:count]:
        methods = [m for m in METHODS if m in rec["labels"]]
        cells = [(rec["points"], rec["gt"])] + [(rec["points"], rec["labels"][m]) for m in methods]
        titles = ["ground truth"] + [METHODS[m] for m in methods]
        paths.append(save_grid(out_dir / f"{ref.category}_{ref.shape_id}.png", [cells], titles,
                               [f"{ref.category}\n{ref.shape_id[:10]}"], size=256, footer=footer))
    return paths
