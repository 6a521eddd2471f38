#!/usr/bin/env python3
"""Checks Tiezheng Merkle proofs with nothing but the Python standard library.

RFC 9162 (Certificate Transparency v2) section 2.1: leaf hash = SHA-256(0x00 || entry),
node hash = SHA-256(0x01 || left || right). A checkpoint (c2sp.org/tlog-checkpoint) is the
text "<origin>\\n<size>\\n<base64 root>\\n..." before the blank line of a signed note; its
signatures are checked separately (docs/evidence.md, openssl pkeyutl).

  verify-proof.py inclusion ENTRY.json PROOF.tlog-proof CHECKPOINT.note
      the entry's exact bytes are leaf <index> of the tree whose root the checkpoint states,
      and the proof's embedded checkpoint is byte for byte CHECKPOINT.note
  verify-proof.py consistency PROOF.json OLD.note NEW.note
      the tree of OLD.note is a prefix of the tree of NEW.note (append-only)

Exit status 0 when the proof holds, 1 when it does not, 2 on bad usage or input.
"""
import base64
import hashlib
import json
import sys


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def checkpoint(note):
    """(size, root) from a checkpoint note's first lines."""
    lines = note.split(b"\n")
    return int(lines[1]), base64.b64decode(lines[2], validate=True)


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise ValueError("index out of range")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("proof too long")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("proof too short")
    return r


def roots_from_consistency(size1, size2, root1, proof):
    """RFC 9162 section 2.1.4.2: returns the (old, new) roots the proof implies."""
    if not 0 < size1 < size2:
        raise ValueError("need 0 < size1 < size2")
    if size1 & (size1 - 1) == 0:  # size1 a power of two: the old root is the first node
        proof = [root1] + proof
    fn, sn = size1 - 1, size2 - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    if not proof:
        raise ValueError("empty proof")
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise ValueError("proof too long")
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("proof too short")
    return fr, sr


def read(path):
    with open(path, "rb") as f:
        return f.read()


def inclusion(entry_path, proof_path, checkpoint_path):
    text = read(proof_path)
    head, _, note = text.partition(b"\n\n")
    lines = head.split(b"\n")
    if lines[0] != b"c2sp.org/tlog-proof@v1":
        raise ValueError("not a c2sp.org/tlog-proof@v1")
    lines = [l for l in lines[1:] if not l.startswith(b"extra ")]
    index = int(lines[0].split(b" ")[1])
    proof = [base64.b64decode(l, validate=True) for l in lines[1:]]
    if note != read(checkpoint_path):
        print("FAIL: the proof's checkpoint is not", checkpoint_path)
        return 1
    size, root = checkpoint(note)
    got = root_from_inclusion(index, size, leaf_hash(read(entry_path)), proof)
    if got != root:
        print("FAIL: entry is not leaf %d of the tree of size %d" % (index, size))
        return 1
    print("OK: %s is leaf %d of the log of size %d, root %s"
          % (entry_path, index, size, base64.b64encode(root).decode()))
    return 0


def consistency(proof_path, old_path, new_path):
    p = json.loads(read(proof_path))
    size1, root1 = checkpoint(read(old_path))
    size2, root2 = checkpoint(read(new_path))
    if (p["size1"], p["size2"]) != (size1, size2):
        raise ValueError("proof is for other sizes")
    proof = [base64.b64decode(h, validate=True) for h in p["proof"]]
    r1, r2 = roots_from_consistency(size1, size2, root1, proof)
    if (r1, r2) != (root1, root2):
        print("FAIL: checkpoint %d is not a prefix of checkpoint %d" % (size1, size2))
        return 1
    print("OK: the log of size %d is a prefix of the log of size %d" % (size1, size2))
    return 0


def main(argv):
    try:
        if len(argv) == 5 and argv[1] == "inclusion":
            return inclusion(*argv[2:])
        if len(argv) == 5 and argv[1] == "consistency":
            return consistency(*argv[2:])
    except (ValueError, KeyError, IndexError, OSError) as e:
        print("FAIL:", e)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
