"""Tiny randomly initialised VLMs of the real architectures, saved like hub snapshots, for tests.

No file is downloaded: tokenizers are built from in-memory vocabularies (see ../shared/STACK.md,
"transformers with tiny models, offline"). bench/teachers.py reuses the tokenizers with the
real-size configs.
"""

import torch

LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
WORDS = ("the", "of", "a", "chair", "back", "seat", "leg", "arm", "mug", "handle", "cup", "body")


def clip_tokenizer(max_length: int = 77):
    """A CLIP BPE tokenizer: every letter, plus whole-word tokens for WORDS; special tokens last
    (as in CLIP; OWLv2 reads a query whose first id is 0 as padding)."""
    from transformers import CLIPTokenizer

    vocab, merges = {}, []
    for ch in LETTERS + ["."]:
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    for word in WORDS:
        pieces = list(word[:-1]) + [word[-1] + "</w>"]
        while len(pieces) > 1:  # merge left to right: "c h a i r</w>" -> "ch a i r</w>" -> ...
            pair = (pieces[0], pieces[1])
            if pair not in merges:
                merges.append(pair)
            pieces = [pieces[0] + pieces[1]] + pieces[2:]
            vocab.setdefault(pieces[0], len(vocab))
    for special in ("<|startoftext|>", "<|endoftext|>"):
        vocab[special] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)


def bert_tokenizer(size: int = 1100):
    """A WordPiece tokenizer with Grounding DINO's hard-coded ids: [CLS] 101, [SEP] 102, '.' 1012,
    '?' 1029; WORDS and every letter (also as '##' pieces) so any lower-case word tokenises."""
    from transformers import BertTokenizer

    fixed = {0: "[PAD]", 100: "[UNK]", 101: "[CLS]", 102: "[SEP]", 103: "[MASK]", 1012: ".", 1029: "?"}
    words = iter(list(WORDS) + LETTERS + ["##" + ch for ch in LETTERS])
    tokens = [fixed.get(i) or (next(words, None) if i >= 110 else None) or f"[unused{i}]" for i in range(size)]
    return BertTokenizer(vocab={t: i for i, t in enumerate(tokens)})


def _text(tokenizer, max_positions, **extra):
    ids = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
           "pad_token_id": tokenizer.pad_token_id}
    return dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                num_attention_heads=4, max_position_embeddings=max_positions, **ids, **extra)


def _vision(image_size, patch_size):
    return dict(image_size=image_size, patch_size=patch_size, hidden_size=32, intermediate_size=37,
                num_hidden_layers=2, num_attention_heads=4)


def save_clip(path, image_size: int = 32, patch_size: int = 8, seed: int = 0):
    """CLIPModel with a (image_size / patch_size)^2 patch grid, saved with its processor."""
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    tokenizer = clip_tokenizer()
    torch.manual_seed(seed)
    config = CLIPConfig(text_config=_text(tokenizer, 77), vision_config=_vision(image_size, patch_size),
                        projection_dim=16)
    CLIPModel(config).save_pretrained(path)
    image = CLIPImageProcessor(size={"shortest_edge": image_size},
                               crop_size={"height": image_size, "width": image_size})
    CLIPProcessor(image_processor=image, tokenizer=tokenizer).save_pretrained(path)
    return path


def save_owlv2(path, image_size: int = 64, patch_size: int = 16, seed: int = 0):
    """Owlv2ForObjectDetection (16-token queries as released; projection_dim = text hidden size)."""
    from transformers import Owlv2Config, Owlv2ForObjectDetection, Owlv2ImageProcessor, Owlv2Processor

    tokenizer = clip_tokenizer(16)
    torch.manual_seed(seed)
    config = Owlv2Config(text_config=_text(tokenizer, 16), vision_config=_vision(image_size, patch_size),
                         projection_dim=32)
    Owlv2ForObjectDetection(config).save_pretrained(path)
    image = Owlv2ImageProcessor(size={"height": image_size, "width": image_size})
    Owlv2Processor(image_processor=image, tokenizer=tokenizer).save_pretrained(path)
    return path


def save_grounding_dino(path, shortest_edge: int = 64, seed: int = 0):
    """GroundingDinoForObjectDetection with a tiny Swin backbone and BERT (d_model must be a
    multiple of 32 for its GroupNorms; at least 2 decoder layers)."""
    from transformers import (GroundingDinoConfig, GroundingDinoForObjectDetection, GroundingDinoImageProcessor,
                              GroundingDinoProcessor)

    tokenizer = bert_tokenizer()
    torch.manual_seed(seed)
    backbone = dict(model_type="swin", embed_dim=8, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2], window_size=4,
                    image_size=shortest_edge, out_features=["stage2", "stage3", "stage4"])
    text = dict(model_type="bert", vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1,
                num_attention_heads=2, intermediate_size=37, max_position_embeddings=256)
    config = GroundingDinoConfig(backbone_config=backbone, text_config=text, d_model=32, encoder_layers=1,
                                 decoder_layers=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                                 encoder_attention_heads=2, decoder_attention_heads=2, num_queries=12)
    GroundingDinoForObjectDetection(config).save_pretrained(path)
    image = GroundingDinoImageProcessor(size={"shortest_edge": shortest_edge, "longest_edge": 2 * shortest_edge})
    GroundingDinoProcessor(image_processor=image, tokenizer=tokenizer).save_pretrained(path)
    return path
