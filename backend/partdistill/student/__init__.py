"""The 3D student: per-point features (geometric, Point-M2AE) and the distillation head."""
