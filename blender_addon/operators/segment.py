"""Segment Parts: a modal operator (timer-driven, Esc cancels) when invoked from the UI, a blocking
run when executed from a script. Either way one undo step, and nothing changes on failure."""

import bpy

from ..errors import UserError
from ..preferences import downloads_allowed, preferences

TIMER_S = 0.05


def run_settings(context):
    """The panel's and the preferences' state as a session.RunSettings."""
    from ..session import RunSettings

    s, prefs = context.scene.partdistill, preferences(context)
    return RunSettings(
        parts=tuple(p.name for p in s.parts), simulated_kind=s.simulated_kind,
        teacher=bpy.path.abspath(s.custom_teacher) if s.teacher == "custom" else s.teacher,
        category=s.category.strip(), checkpoint=bpy.path.abspath(s.checkpoint) if s.mode == "CHECKPOINT" else "",
        num_views=s.num_views, resolution=s.resolution, engine=s.engine, samples=s.samples,
        render_device=s.render_device, backward=s.backward, num_points=s.num_points, seed=s.seed,
        backend_mode=prefs.backend_mode, python=bpy.path.abspath(prefs.python_path),
        models_dir=bpy.path.abspath(prefs.models_dir), torch_device=prefs.device,
        allow_download=downloads_allowed(context))


class PARTDISTILL_OT_segment(bpy.types.Operator):
    """Segment the active mesh into the listed parts: vertex groups, material slots and attributes"""

    bl_idname = "partdistill.segment"
    bl_label = "Segment Parts"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return not context.window_manager.partdistill_status.running

    def _start(self, context):
        try:
            from ..session import SegmentSession
        except ModuleNotFoundError as exc:  # Debian's Blender runs the system Python, maybe without numpy
            raise UserError(f"Blender's Python lacks {exc.name}: install it there (Debian: apt install "
                            f"python3-{exc.name}) or start Blender with PYTHONPATH set to an environment "
                            "that has it") from exc

        s = context.scene.partdistill
        if s.mode == "CHECKPOINT" and not s.checkpoint:
            raise UserError("Choose the pre-aligned student file, or switch the mode to Test-Time Alignment")
        if s.mode == "TTA" and s.teacher == "custom" and not s.custom_teacher.strip():
            raise UserError("Name the model to use as teacher: a hub id (owner/name) or a model directory")
        return SegmentSession(context.active_object, run_settings(context), context.evaluated_depsgraph_get())

    def execute(self, context):
        try:
            summary = self._start(context).run_to_end()
        except UserError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if summary is None:
            self.report({"WARNING"}, "Segment Parts was cancelled: nothing was changed")
            return {"CANCELLED"}
        self._report_done(summary)
        return {"FINISHED"}

    def invoke(self, context, event):
        try:
            self._session = self._start(context)
        except UserError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        wm = context.window_manager
        self._timer = wm.event_timer_add(TIMER_S, window=context.window)
        wm.modal_handler_add(self)
        self._show(context, running=True)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type == "ESC":
            self._session.cancel()
            self._finish(context)
            self.report({"WARNING"}, "Segment Parts was cancelled: nothing was changed")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        try:
            state = self._session.step()
        except Exception as exc:  # noqa: BLE001 - whatever stops the run must also stop the timer
            self._finish(context)
            if not isinstance(exc, UserError):
                raise
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if state is not None:
            self._show(context, running=True)
            return {"RUNNING_MODAL"}
        self._finish(context)
        if self._session.summary is None:
            self.report({"WARNING"}, "Segment Parts was cancelled: nothing was changed")
            return {"CANCELLED"}
        self._report_done(self._session.summary)
        return {"FINISHED"}

    def _show(self, context, running: bool):
        status = context.window_manager.partdistill_status
        status.running, status.progress = running, self._session.fraction
        status.text = self._session.text if running else ""
        context.workspace.status_text_set(
            f"PartDistill: {self._session.text} ({100 * self._session.fraction:.0f} %), Esc cancels"
            if running else None)
        for area in context.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()

    def _finish(self, context):
        context.window_manager.event_timer_remove(self._timer)
        self._show(context, running=False)

    def _report_done(self, summary):
        seconds = sum(summary["seconds"].values())
        self.report({"INFO"}, f"Segmented {len(summary['points_per_part'])} parts in {seconds:.1f} s "
                              f"with {summary['teacher']}")
        if summary["notice"]:
            self.report({"WARNING"}, summary["notice"])
