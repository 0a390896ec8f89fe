"""Mesh data as numpy arrays: world-space vertices, triangles and the polygon each came from."""

from dataclasses import dataclass

import numpy as np

TRUTH_ATTRIBUTE = "partdistill_truth"  # face INT attribute: ground-truth part index, -1 for none


@dataclass(frozen=True)
class MeshArrays:
    """vertices (V, 3) float64; triangles (T, 3) int64; polygon (T,) the polygon of each triangle;
    num_polygons P."""

    vertices: np.ndarray
    triangles: np.ndarray
    polygon: np.ndarray
    num_polygons: int

    def triangle_areas(self) -> np.ndarray:
        a, b, c = (self.vertices[self.triangles[:, i]] for i in range(3))
        return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)

    def polygon_labels(self, triangle_labels: np.ndarray) -> np.ndarray:
        """(P,) label of each polygon: its triangles' labels weighted by area (an n-gon is one face
        in Blender but several triangles for the backend)."""
        num_labels = int(triangle_labels.max()) + 1
        votes = np.zeros((self.num_polygons, num_labels))
        # A degenerate polygon still gets its triangles' label.
        np.add.at(votes, (self.polygon, triangle_labels), self.triangle_areas() + 1e-12)
        return votes.argmax(axis=1)


def world_mesh_copy(obj, depsgraph):
    """A new mesh datablock: obj as evaluated (modifiers applied), in world space, with its
    attributes and materials. The caller removes it."""
    import bpy

    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                           depsgraph=depsgraph)
    mesh.transform(obj.matrix_world)
    return mesh


def mesh_arrays(mesh, matrix_world=None) -> MeshArrays:
    """The triangulated mesh (bpy.types.Mesh), with vertices moved by matrix_world when given."""
    mesh.calc_loop_triangles()
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    vertices = co.reshape(-1, 3)
    if matrix_world is not None:
        m = np.array(matrix_world, dtype=np.float64)
        vertices = vertices @ m[:3, :3].T + m[:3, 3]
    tris = np.empty(len(mesh.loop_triangles) * 3, dtype=np.int64)
    mesh.loop_triangles.foreach_get("vertices", tris)
    polygon = np.empty(len(mesh.loop_triangles), dtype=np.int64)
    mesh.loop_triangles.foreach_get("polygon_index", polygon)
    return MeshArrays(vertices, tris.reshape(-1, 3), polygon, len(mesh.polygons))


def truth_labels(mesh, arrays: MeshArrays) -> np.ndarray | None:
    """(T,) ground-truth part per triangle from the TRUTH_ATTRIBUTE face attribute, None if absent."""
    attribute = mesh.attributes.get(TRUTH_ATTRIBUTE)
    if attribute is None or attribute.domain != "FACE" or attribute.data_type != "INT":
        return None
    values = np.empty(arrays.num_polygons, dtype=np.int64)
    attribute.data.foreach_get("value", values)
    return values[arrays.polygon]
