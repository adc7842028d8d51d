#!/usr/bin/env python3
"""Writes the most frequent case-folded byte trigrams of the text files under DIR, most frequent first.

The secrets prefilter anchors each keyword on its rarest trigram; this list tells it which trigrams are common
in real source text. Regenerate with: scripts/trigram_ranks.py /path/to/a/large/source/tree > \
crates/warden-secrets/data/common-trigrams.txt
"""
import collections, os, sys

def fold(b):
    return b | 0x20

root = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
counts = collections.Counter()
budget = 200 << 20
for dirpath, _, files in os.walk(root):
    for f in sorted(files):
        try:
            data = open(os.path.join(dirpath, f), "rb").read()
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue
        folded = bytes(fold(b) for b in data)
        counts.update(folded[i:i + 3] for i in range(len(folded) - 2))
        budget -= len(data)
        if budget <= 0:
            break
    if budget <= 0:
        break
for tri, _ in counts.most_common(top):
    # one trigram per line, as hex so that any byte survives
    print(tri.hex())
