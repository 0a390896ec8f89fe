"""One benchmark run: teacher stage (cached), teacher vote, test-time alignment (TTA) and
pre-alignment (Pre) on each test shape, with per-shape results persisted as they finish.

Pre-alignment trains on the train split only and is tested on the test split. Data without split
lists (partial copies, PartNet-Mobility folders) is split into two folds per category instead:
each half is tested by a student pre-aligned on the other half, so no student sees its test shapes.
"""

import hashlib
import time
from dataclasses import dataclass, field

from ..baselines import vote
from ..distill import distill, final_labels
from ..errors import PartDistillError
from ..geometry.normalize import normalize_unit_sphere
from ..prealign import prealign
from ..threads import one_torch_thread
from .progress import Progress
from .sources import ShapeRef

MODES = ("tta", "pre")


@dataclass
class RunOutcome:
    """What a run finished: refs per category, skipped (ref, reason) pairs, notes for the report."""

    refs: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def distill_config(config, dataset: str):
    """The user's config (preset name, dict or None); PartNet-E has a "no part" label, so there
    points no unit covers stay unlabelled (-1), as the teacher vote leaves them."""
    if dataset != "partnete":
        return config
    overrides = {"preset": config} if isinstance(config, str) else dict(config or {})
    return {**overrides, "label_uncovered": False}


class Runner:
    """config: the distillation config as given to distill / prealign (see distill_config).
    limit / train_limit: at most this many test / pre-alignment shapes per category."""

    def __init__(self, source, stage, store, *, modes=("tta",), config=None, backward=True, seed=0,
                 limit=None, train_limit=None, log=None):
        unknown = set(modes) - set(MODES)
        if not modes or unknown:
            raise PartDistillError(f"unknown mode(s) {sorted(unknown)}; use --mode with tta and/or pre")
        self.source, self.stage, self.store = source, stage, store
        self.log = log or (lambda text: print(text, flush=True))
        self.modes, self.backward, self.seed = tuple(modes), bool(backward), int(seed)
        self.limit, self.train_limit, self.config = limit, train_limit, config
        self.outcome = RunOutcome(skipped=list(source.unlisted))
        self._unreadable = {}

    def run(self) -> RunOutcome:
        refs = {c: self.source.refs(c, "test")[:self.limit] for c in self.source.categories}
        for category, found in refs.items():
            if not found:
                self.outcome.notes.append(f"{category}: no test shapes in {self.source.root}")
        self.outcome.refs = {c: r for c, r in refs.items() if r}
        progress = Progress(sum(len(r) for r in refs.values()), self.log)
        for category, category_refs in self.outcome.refs.items():
            for ref in category_refs:
                progress.step(f"{category} {ref.shape_id}: {self._shape(ref)}")
        if "pre" in self.modes:
            for category, category_refs in self.outcome.refs.items():
                self._prealigned(category, category_refs)
        return self.outcome

    # -- per shape: teacher, vote, TTA ---------------------------------------------------------
    def _shape(self, ref: ShapeRef) -> str:
        record = self.store.load(ref.category, ref.shape_id)
        if record is not None and ("tta" not in self.modes or "tta" in record["labels"]):
            return "done earlier"
        shape = self._load(ref)
        if shape is None:
            return f"SKIPPED: {self._reason(ref)}"
        t = time.perf_counter()
        units, cached = self.stage.units(shape, self.source.dataset)
        teacher_s = time.perf_counter() - t
        R = self.stage.num_parts(shape)
        labels = {**(record["labels"] if record else {}), "vote": vote(units, R)}
        said = [f"teacher {'cached' if cached else f'{teacher_s:.1f} s'}, {len(units)} units"]
        meta = {"num_parts": len(shape.part_names), "predicted_parts": R, "units": len(units),
                "coverage": float(units.covered().mean()), "teacher_s": None if cached else teacher_s}
        if "tta" in self.modes and not units.covered().any():
            # Nothing to learn from: the shape still counts, unlabelled, as it does for the vote.
            labels["tta"] = labels["vote"]
            said.append("no knowledge unit, so TTA leaves it unlabelled")
            self._note_once("shapes on which the teacher found nothing are scored unlabelled by every method "
                            "(see 'units': 0 in metrics.json)")
        elif "tta" in self.modes:
            t = time.perf_counter()
            with one_torch_thread():
                labels["tta"] = distill(shape.points, units, R, backward=self.backward, seed=self.seed,
                                        config=self.config).labels
            meta["tta_s"] = time.perf_counter() - t
            said.append(f"TTA {meta['tta_s']:.1f} s")
        self.store.save(ref.category, ref.shape_id, {"points": shape.points, "gt": shape.labels,
                                                     "labels": labels, "meta": meta})
        return ", ".join(said)

    def _load(self, ref: ShapeRef):
        """The shape, or None after recording why it cannot be used."""
        try:
            shape = self.source.load(ref)
            normalize_unit_sphere(shape.points)  # a shape without extent cannot be rendered
            return shape
        except PartDistillError as exc:  # DatasetError included: it names the file and line
            if ref not in self._unreadable:
                self.outcome.skipped.append((ref, str(exc)))
                self._unreadable[ref] = str(exc)
            return None

    def _reason(self, ref):
        return self._unreadable.get(ref, "unreadable")

    # -- pre-alignment -------------------------------------------------------------------------
    def _prealigned(self, category: str, test_refs: list) -> None:
        if self.source.has_splits:
            folds = [(self.source.refs(category, "train")[:self.train_limit], test_refs)]
            self._note_once("Pre: one student per category, pre-aligned on the train split only "
                            "(without labels), tested on the test split")
        else:
            halves = (test_refs[0::2], test_refs[1::2])
            folds = [(halves[1], halves[0]), (halves[0], halves[1])]
            self._note_once("Pre: no split lists here, so each category is split in two folds; each half is "
                            "tested by a student pre-aligned on the other half")
        for train_refs, fold_refs in folds:
            records = {r: self.store.load(r.category, r.shape_id) for r in fold_refs}
            todo = [r for r in fold_refs if records[r] is not None and "pre" not in records[r]["labels"]]
            if not todo:
                continue
            if not train_refs:
                self.outcome.notes.append(f"{category}: no shapes to pre-align on, so no Pre result")
                continue
            student = self._student(category, train_refs)
            if student is None:
                continue
            for ref in todo:
                shape = self._load(ref)
                record = records[ref]
                units, _ = self.stage.units(shape, self.source.dataset)
                t = time.perf_counter()
                with one_torch_thread():
                    record["labels"]["pre"] = final_labels(student.predict(shape.points), units, student.config)
                record["meta"]["pre_s"] = time.perf_counter() - t
                self.store.save(ref.category, ref.shape_id, record)
                self.log(f"  Pre {category} {ref.shape_id}: {record['meta']['pre_s']:.1f} s")

    def _student(self, category: str, train_refs: list):
        """The category's pre-aligned student, from OUT/students when a run made it with the same
        training shapes; trained (one shape's teacher stage at a time, cached) otherwise."""
        from ..student.model import Student

        digest = hashlib.sha1(" ".join(r.shape_id for r in train_refs).encode()).hexdigest()[:10]
        path = self.store.out / "students" / f"{category}-{digest}.pt"
        if path.is_file():
            return Student.load(path)
        shapes, R, ran = [], None, 0
        for i, ref in enumerate(train_refs, start=1):
            shape = self._load(ref)
            if shape is None:
                continue
            units, cached = self.stage.units(shape, self.source.dataset)
            R = self.stage.num_parts(shape)
            if units.covered().any():  # a shape the teacher found nothing on teaches nothing
                shapes.append((shape.points, units))
            if not cached:
                ran += 1
                self.log(f"  {category} pre-alignment shape {i}/{len(train_refs)} {ref.shape_id}: teacher ran")
        if not shapes:
            self.outcome.notes.append(f"{category}: no readable pre-alignment shape with knowledge units, "
                                      "so no Pre result")
            return None
        t = time.perf_counter()
        with one_torch_thread():
            student = prealign(shapes, R, backward=self.backward, seed=self.seed, config=self.config)
        self.log(f"  pre-aligned {category} on {len(shapes)} shapes ({len(shapes) - ran} teacher outputs cached) "
                 f"in {time.perf_counter() - t:.1f} s")
        student.save(path)
        return student

    def _note_once(self, text: str) -> None:
        if text not in self.outcome.notes:
            self.outcome.notes.append(text)
