"""Text-guided image editing demo, written for CUDA: open it to see what NPU Porting Assistant finds."""
import argparse

import torch
from safetensors.torch import load_file
from flash_attn import flash_attn_func


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda", help="device to run on, e.g. cuda")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--lora", default="lora.safetensors")
    return parser.parse_args()


def attention(q, k, v):
    return flash_attn_func(q, k, v, causal=False)


def main():
    args = parse_args()
    torch.backends.cudnn.benchmark = True
    model = torch.nn.Linear(64, 64)
    model.to("cuda", torch.bfloat16)
    lora = load_file(args.lora, device="cuda")
    generator = torch.Generator("cuda").manual_seed(args.seed)
    latents = torch.randn(1, 64, generator=generator, device="cuda", dtype=torch.bfloat16)
    with torch.no_grad():
        out = model(latents)
    torch.cuda.synchronize()
    print(torch.cuda.memory_summary(device="cuda", abbreviated=True))
    print(out.shape, len(lora))


if __name__ == "__main__":
    main()
