"""Generates examples/models/decoder.onnx: a small mask decoder shaped like EdgeSAM's, exporting the ops
that ATC and QNN struggle with (Gather, Abs, Sin/Cos, Erf, Squeeze, Equal + Cast to bool, int64 shapes).
Run with Debian's interpreter: /usr/bin/python3 examples/models/make_decoder.py"""
import os

import torch
import torch.nn.functional as F
from torch import nn


class PromptEncoder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(2, dim)
        self.register_buffer("freqs", torch.linspace(1.0, 8.0, dim // 2))

    def forward(self, points, labels):
        coords = self.proj(points)
        angles = points[..., :1] * self.freqs
        pe = torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
        not_padding = (labels == 1).to(torch.float32).unsqueeze(-1)
        return (coords + pe) * not_padding


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, 2, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))
        self.norm = nn.LayerNorm(dim)

    def forward(self, tokens, image):
        attended, _ = self.attn(tokens, image, image)
        tokens = self.norm(tokens + attended)
        return tokens + self.mlp(tokens)


class MaskDecoder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.prompt_encoder = PromptEncoder(dim)
        self.transformer = nn.ModuleList([Block(dim), Block(dim)])
        self.mask_head = nn.Linear(dim, 16)

    def forward(self, image_embeddings, points, labels):
        b, c, h, w = image_embeddings.shape
        image = image_embeddings.flatten(2).transpose(1, 2)
        tokens = self.prompt_encoder(points, labels)
        for layer in self.transformer:
            tokens = layer(tokens, image)
        first = tokens[:, 0, :]
        logits = self.mask_head(first).abs()
        return logits.unsqueeze(1).squeeze(1), tokens.reshape(b, -1, c)


def main():
    torch.manual_seed(0)
    model = MaskDecoder().eval()
    inputs = (torch.randn(1, 32, 8, 8), torch.rand(1, 4, 2), torch.ones(1, 4, dtype=torch.int64))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "decoder.onnx")
    torch.onnx.export(model, inputs, out, opset_version=13, input_names=["image_embeddings", "points", "labels"],
                      output_names=["mask_logits", "tokens"], dynamic_axes={"points": {1: "num_points"}, "labels": {1: "num_points"}})
    print(out)


if __name__ == "__main__":
    main()
