"""B-VLM: Grounding DINO (IDEA-Research/grounding-dino-tiny), the transformers model closest to GLIP.

All prompts go in one caption, "p1. p2. ... pR.", as GLIP and Grounding DINO take them. The model
scores each of its 900 query boxes against every caption token; a prompt's score is the maximum
of sigmoid(logits) over its own tokens, leaving out tokens that every prompt shares (with the
template "the {part} of the {category}" those are "the", "of" and the category, which match the
whole object and would give every part the same score). Boxes are relative to the view itself
(the processor resizes keeping the aspect ratio; batch padding is masked out), so they scale by
the view's width and height.
"""

import torch

from ..errors import PartDistillError
from .base import BoxPrediction
from .boxes import boxes_to_pixels, select_boxes
from .teacher import BoxTeacher

# The box threshold of Grounding DINO's official demo (box_threshold 0.35); GLIP's 0.5, which
# PartSLIP and PartDistill use, is stricter than what Grounding DINO's authors recommend for it.
# Not yet measured on part prompts (the weights cannot be fetched here).
GROUNDING_DINO_THRESHOLD = 0.35
# Characters the model treats as phrase separators (its hard-coded '.' and '?' token ids).
SEPARATORS = (".", "?")


class GroundingDinoTeacher(BoxTeacher):
    """Boxes (B, 4) in rendered-image pixels with per-prompt scores (B, R) from
    GroundingDinoForObjectDetection."""

    model_type = "grounding-dino"
    default_model = "grounding-dino"
    model_class = "GroundingDinoForObjectDetection"
    default_threshold = GROUNDING_DINO_THRESHOLD
    processor_class = "GroundingDinoProcessor"

    def _encode_prompts(self, prompts):
        """(caption tokens (1, L), R index tensors of the tokens that score each prompt)."""
        bad = [p for p in prompts if any(s in p for s in SEPARATORS)]
        if bad:
            raise PartDistillError(f"Grounding DINO splits its caption at '.' and '?': remove them from {bad}")
        tokenizer = self.processor.tokenizer
        caption = ". ".join(p.lower() for p in prompts) + "."
        tokens = tokenizer(caption, return_tensors="pt")
        length, limit = tokens["input_ids"].shape[1], self.model.config.max_text_len
        if length > limit:
            raise PartDistillError(f"the {len(prompts)} prompts make a {length}-token caption but Grounding DINO "
                                   f"reads at most {limit}; use fewer or shorter prompts")
        return tokens.to(self.device), phrase_tokens(tokens["input_ids"][0], tokenizer.convert_tokens_to_ids("."),
                                                     len(prompts))

    def _predict_batch(self, images, masks, text):
        tokens, phrases = text
        enc = self.processor.image_processor(images, return_tensors="pt")
        count = len(images)
        out = self.model(pixel_values=enc["pixel_values"].to(self.device, self.dtype),
                         pixel_mask=enc["pixel_mask"].to(self.device),
                         **{k: v.repeat(count, 1) for k, v in tokens.items()})
        probs = out.logits.float().sigmoid()                                          # (B, Q, max_text_len)
        scores = torch.stack([probs[..., idx.to(probs.device)].amax(dim=-1) for idx in phrases], dim=-1)
        scores = scores.cpu().numpy()                                                 # (B, Q, R)
        boxes = out.pred_boxes.float().cpu().numpy()                                  # (B, Q, 4) cxcywh
        preds = []
        for img, view_boxes, view_scores in zip(images, boxes, scores):
            height, width = img.shape[:2]
            xyxy = boxes_to_pixels(view_boxes, (width, height), (width, height))
            preds.append(BoxPrediction(*select_boxes(xyxy, view_scores, self.score_threshold, self.nms_iou)))
        return preds


def phrase_tokens(input_ids: torch.Tensor, separator_id: int, count: int) -> list[torch.Tensor]:
    """Caption token ids (L,) "[CLS] p1 . p2 . ... pR . [SEP]" -> per prompt, the positions of its
    tokens that not every prompt has (all its tokens when every one is shared)."""
    ids = input_ids.tolist()
    ends = [i for i, t in enumerate(ids) if t == separator_id]
    if len(ends) != count:
        raise PartDistillError(f"the caption split into {len(ends)} phrases for {count} prompts; "
                               "remove separator-like characters from the prompts")
    spans = [list(range(start + 1, end)) for start, end in zip([0] + ends[:-1], ends)]
    if any(not span for span in spans):
        raise PartDistillError("a prompt tokenised to nothing; give every part a name with letters in it")
    shared = set.intersection(*({ids[i] for i in span} for span in spans)) if count > 1 else set()
    out = []
    for span in spans:
        own = [i for i in span if ids[i] not in shared]
        out.append(torch.tensor(own or span, dtype=torch.long))
    return out
