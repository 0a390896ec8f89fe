"""B-VLM: OWLv2 (google/owlv2-base-patch16-ensemble), one box per image patch with a score per prompt.

OWLv2 predicts a box for each of its (960 / 16)^2 = 3600 patches and scores it against every
text query independently, so per-prompt scores come straight from sigmoid(logits). Its image
processor pads each view at the bottom and right to a square before resizing; this teacher pads
with the background colour itself (the processor's padding is black) and maps boxes back with the
square as the frame.
"""

from .base import BoxPrediction
from .boxes import boxes_to_pixels, select_boxes
from .teacher import BoxTeacher, pad_square

# OWLv2's own default (transformers' post-processing and the model card's example use 0.1). Its
# scores typically run far lower than GLIP's, so GLIP's 0.5 would keep few boxes. Not yet
# measured on part prompts (the weights cannot be fetched here).
OWLV2_THRESHOLD = 0.1


class Owlv2Teacher(BoxTeacher):
    """Boxes (B, 4) in rendered-image pixels with per-prompt scores (B, R) from Owlv2ForObjectDetection."""

    model_type = "owlv2"
    default_model = "owlv2"
    model_class = "Owlv2ForObjectDetection"
    default_threshold = OWLV2_THRESHOLD
    processor_class = "Owlv2Processor"

    def _encode_prompts(self, prompts):
        """Token ids and attention mask (R, L), padded to the text model's length as OWLv2 expects."""
        limit = self.model.config.text_config.max_position_embeddings
        self._check_token_count(prompts, limit)
        return self.processor.tokenizer(prompts, padding="max_length", max_length=limit,
                                        return_tensors="pt").to(self.device)

    def _predict_batch(self, images, masks, text):
        squares = [pad_square(img) for img in images]
        pixels = self.processor.image_processor(squares, return_tensors="pt").pixel_values
        count = len(images)
        # One copy of the R queries per image, image-major, as Owlv2ForObjectDetection reads them.
        out = self.model(input_ids=text["input_ids"].repeat(count, 1),
                         attention_mask=text["attention_mask"].repeat(count, 1),
                         pixel_values=pixels.to(self.device, self.dtype))
        scores = out.logits.float().sigmoid().cpu().numpy()    # (B, patches, R)
        boxes = out.pred_boxes.float().cpu().numpy()            # (B, patches, 4) cxcywh of the square
        preds = []
        for img, view_boxes, view_scores in zip(images, boxes, scores):
            height, width = img.shape[:2]
            side = max(height, width)
            xyxy = boxes_to_pixels(view_boxes, (side, side), (width, height))
            preds.append(BoxPrediction(*select_boxes(xyxy, view_scores, self.score_threshold, self.nms_iou)))
        return preds
