#!/usr/bin/env python3
"""Writes one payload set for bench/qr/run.sh: one payload per line, generated exactly as
`qrtool bench [--count N] [--length N]` generates its own (same 64-bit LCG, same seed, same
draws), so `qrtool bench --payloads FILE` prints the same checksum as `qrtool bench`.

    make_payloads.py COUNT [LENGTH] > FILE

Without LENGTH: URLs like https://aduan.kalselprov.go.id/q/AB12CD34 (8 characters from a
32-letter alphabet); with LENGTH: lower-case a-z text of that many bytes.
"""
import sys

MASK = (1 << 64) - 1
ALPHABET = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def payloads(count, length=None):
    state = 0x9E3779B97F4A7C15
    for _ in range(count):
        code = bytearray()
        for _ in range(8):
            state = (state * 6364136223846793005 + 1442695040888963407) & MASK
            code.append(ALPHABET[state >> 59])
        if length is not None:
            text = bytearray()
            for _ in range(length):
                state = (state * 6364136223846793005 + 1442695040888963407) & MASK
                text.append(ord("a") + (state >> 59) % 26)
            yield bytes(text)
        else:
            yield b"https://aduan.kalselprov.go.id/q/" + bytes(code)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    count = int(sys.argv[1])
    length = int(sys.argv[2]) if len(sys.argv) == 3 else None
    out = sys.stdout.buffer
    for payload in payloads(count, length):
        out.write(payload + b"\n")


if __name__ == "__main__":
    main()
