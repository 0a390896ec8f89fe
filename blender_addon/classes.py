"""Every class the add-on registers, in registration order (property groups before their users)."""

from .operators.export import PARTDISTILL_OT_export_glb
from .operators.parts import (PARTDISTILL_OT_load_preset, PARTDISTILL_OT_part_add, PARTDISTILL_OT_part_move,
                              PARTDISTILL_OT_part_remove)
from .operators.reimport import PARTDISTILL_OT_import_glb
from .operators.segment import PARTDISTILL_OT_segment
from .preferences import PARTDISTILL_AP_preferences
from .properties import PARTDISTILL_PG_part, PARTDISTILL_PG_settings, PARTDISTILL_PG_status
from .ui.panel import PARTDISTILL_PT_main, PARTDISTILL_UL_parts

CLASSES = (
    PARTDISTILL_AP_preferences,
    PARTDISTILL_PG_part,
    PARTDISTILL_PG_settings,
    PARTDISTILL_PG_status,
    PARTDISTILL_OT_part_add,
    PARTDISTILL_OT_part_remove,
    PARTDISTILL_OT_part_move,
    PARTDISTILL_OT_load_preset,
    PARTDISTILL_OT_segment,
    PARTDISTILL_OT_export_glb,
    PARTDISTILL_OT_import_glb,
    PARTDISTILL_UL_parts,
    PARTDISTILL_PT_main,
)
