"""P-VLM: dense CLIP in the PointCLIP V2 manner (the paper's CLIP rows).

Every patch token of the vision transformer goes through CLIP's own head (post_layernorm, then
visual_projection: the path the CLS token takes to become the image embedding), so each patch gets
an embedding in the joint image-text space. Its cosine similarity with each prompt's text
embedding, scaled by CLIP's logit_scale (its learned inverse temperature, 100 for the released
models), is upsampled to the image and turned into part probabilities by a softmax over prompts.
"""

import numpy as np
import torch.nn.functional as F

from ..errors import PartDistillError
from .base import PixelPrediction
from .teacher import Teacher, pad_square


class DenseClipTeacher(Teacher):
    """Per-pixel part probabilities (H, W, R) from a CLIPModel (default ViT-B/32: a 7x7 patch grid
    at 224 pixels; "clip-b16" gives 14x14)."""

    kind = "pixel"
    model_type = "clip"
    default_model = "clip-b32"
    model_class = "CLIPModel"
    processor_class = "CLIPProcessor"

    def __init__(self, model, processor, *, logit_scale: float | None = None, **options):
        """logit_scale: softmax inverse temperature; None uses the model's learned one."""
        super().__init__(model, processor, **options)
        if logit_scale is not None and not float(logit_scale) > 0:
            raise PartDistillError(f"logit_scale must be positive, got {logit_scale}")
        learned = float(self.model.logit_scale.detach().exp())
        self.logit_scale = learned if logit_scale is None else float(logit_scale)

    def _encode_prompts(self, prompts):
        """(R, P) unit text embeddings."""
        self._check_token_count(prompts, self.model.config.text_config.max_position_embeddings)
        tokens = self.processor.tokenizer(prompts, padding=True, return_tensors="pt").to(self.device)
        text = self.model.get_text_features(**tokens).pooler_output
        return F.normalize(text.float(), dim=-1)

    def _predict_batch(self, images, masks, text):
        # Pad to a square (bottom / right) so that CLIP's resize + centre crop keeps the whole view
        # and the patch grid maps onto it by one scale factor.
        squares = [pad_square(img) for img in images]
        pixels = self.processor.image_processor(squares, return_tensors="pt").pixel_values
        hidden = self.model.vision_model(pixel_values=pixels.to(self.device, self.dtype)).last_hidden_state
        patches = self.model.visual_projection(self.model.vision_model.post_layernorm(hidden[:, 1:]))
        patches = F.normalize(patches.float(), dim=-1)                       # (B, g*g, P)
        grid = int(round(patches.shape[1] ** 0.5))
        logits = self.logit_scale * patches @ text.T                         # (B, g*g, R)
        logits = logits.transpose(1, 2).reshape(len(images), -1, grid, grid)  # (B, R, g, g)
        out = []
        for img, mask, view_logits in zip(images, masks, logits):
            height, width = img.shape[:2]
            side = max(height, width)
            up = F.interpolate(view_logits[None], size=(side, side), mode="bilinear", align_corners=False)
            probs = up[0, :, :height, :width].softmax(dim=0).permute(1, 2, 0)
            object_mask = np.ones((height, width), dtype=bool) if mask is None else mask
            out.append(PixelPrediction(probs.cpu().numpy(), object_mask))
        return out

