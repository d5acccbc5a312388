"""Exports a small SAM-style mask decoder head to ONNX for an NPU.

Written the way the EdgeSAM decoder first was: it exports, but the NPU compiler rejects the model.
With the default target (npuPort.onnx.target = ascend310p) NPU Porting Assistant reports the opset
and the dynamic axes of the export call. Set npuPort.onnx.target to "mobile-npu" (the whitelist
profile in .npu-port/profiles: the ops of the modules that compiled) to also see the constructs in
forward() that export to ops that target lacks, each with its source-level rewrite as a quick fix.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def float_eq(x, value):
    return torch.clamp(1.0 - torch.abs(x - value), min=0.0, max=1.0)


class MaskHead(nn.Module):
    def __init__(self, dim=32, tokens=4):
        super().__init__()
        self.tokens = tokens
        self.mlp = nn.Linear(dim, dim)
        self.freqs = torch.arange(dim // 2, dtype=torch.float32)

    def forward(self, hs, image, labels):
        iou_token = hs[:, 0, :]
        masks = []
        for i in range(self.tokens):
            token = F.gelu(self.mlp(hs[:, i + 1, :]))
            masks.append(token @ image.flatten(2)[0])
        b, c, h, w = image.shape
        pe = torch.sin(self.freqs * 0.5)
        is_point = (labels == 1).float()
        score = float_eq(labels, 1.0).sum(-1) + iou_token.mean(-1)
        return torch.stack(masks, 1).reshape(b, self.tokens, h, w), score, is_point, pe


if __name__ == "__main__":
    model = MaskHead().eval()
    hs = torch.randn(1, 5, 32)
    image = torch.randn(1, 32, 16, 16)
    labels = torch.tensor([[1.0, 0.0, 1.0, 2.0]])
    torch.onnx.export(
        model,
        (hs, image, labels),
        "mask_head.onnx",
        input_names=["hs", "image", "labels"],
        output_names=["masks", "scores", "is_point", "pe"],
        dynamic_axes={"hs": {1: "tokens"}},
        opset_version=17,
    )
