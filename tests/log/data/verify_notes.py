#!/usr/bin/env python3
"""Independent check of Tiezheng's signed notes (c2sp.org/signed-note) and
checkpoints (c2sp.org/tlog-checkpoint), written from the specs with Python's
`cryptography` package: no code shared with the C++ implementation.

Usage: verify_notes.py [FIXTURE]   (default: checkpoint_notes.txt beside this)

The fixture holds "vkey <verifier key>" lines, then notes, each after a
"--- note" line. Every note must be well formed, every signature line must be
by a listed key and verify, and the text must be a tlog-checkpoint body.
Exit status 0 if all hold; 2 if `cryptography` is missing; 1 otherwise.
"""
import base64
import hashlib
import os
import re
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:
    print("python cryptography package not available", file=sys.stderr)
    sys.exit(2)

EM_DASH = "\u2014"


def b64(s):
    raw = base64.b64decode(s, validate=True)
    if base64.b64encode(raw).decode() != s:
        raise ValueError("non-canonical base64: " + s)
    return raw


def parse_vkey(vkey):
    name, key_id, key = vkey.split("+", 2)
    typed = b64(key)
    if re.fullmatch(r"[0-9a-f]{8}", key_id) is None:
        raise ValueError("bad key id " + key_id)
    want = hashlib.sha256(name.encode() + b"\n" + typed).digest()[:4].hex()
    if want != key_id:
        raise ValueError(f"key id {key_id} != {want} for {name}")
    if typed[0] != 0x01 or len(typed) != 33:
        raise ValueError("not an Ed25519 vkey")
    return (name, int(key_id, 16)), Ed25519PublicKey.from_public_bytes(typed[1:])


def open_note(note, keys):
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise ValueError("control character")
    if not note.endswith("\n"):
        raise ValueError("no final newline")
    split = note.rindex("\n\n")
    text, sigs = note[: split + 1], note[split + 2 :]
    signers = []
    for line in sigs.rstrip("\n").split("\n"):
        if not line.startswith(EM_DASH + " "):
            raise ValueError("bad signature line " + repr(line))
        name, sig64 = line[2:].split(" ", 1)
        if not name or "+" in name or any(c.isspace() for c in name):
            raise ValueError("bad key name " + repr(name))
        raw = b64(sig64)
        key_id = int.from_bytes(raw[:4], "big")
        key = keys[(name, key_id)]  # every line in the fixture is by a known key
        key.verify(raw[4:], text.encode())  # raises InvalidSignature
        signers.append(name)
    return text, signers


def parse_checkpoint(text):
    lines = text.split("\n")
    assert lines[-1] == "", "body must end in newline"
    lines = lines[:-1]
    if len(lines) < 3 or any(not l for l in lines):
        raise ValueError("checkpoint needs >= 3 non-empty lines")
    origin, size, root = lines[:3]
    if re.fullmatch(r"0|[1-9][0-9]*", size) is None or int(size) >= 2**64:
        raise ValueError("bad size " + size)
    if len(b64(root)) != 32:
        raise ValueError("root hash is not 32 bytes")
    return origin, int(size), lines[3:]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "checkpoint_notes.txt")
    with open(path, encoding="utf-8", newline="") as f:
        content = f.read()
    head, *notes = content.split("--- note\n")
    keys = dict(parse_vkey(l[len("vkey ") :]) for l in head.splitlines())
    if not notes:
        raise ValueError("no notes in fixture")
    for note in notes:
        text, signers = open_note(note, keys)
        origin, size, ext = parse_checkpoint(text)
        print(f"ok: {origin} size={size} extensions={ext} signed by {signers}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, KeyError, InvalidSignature, AssertionError) as e:
        print("FAIL:", type(e).__name__, e, file=sys.stderr)
        sys.exit(1)
