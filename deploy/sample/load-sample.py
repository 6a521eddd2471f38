#!/usr/bin/env python3
"""Loads a sample project (manifest.json) into a running Tiezheng node with
the `tiezheng` CLI, the way the parties themselves would:

  1. each party gets its own client key (`tiezheng key new`), registered by a
     governance proposal signed with the consortium member's key
     (`tiezheng key register`; with one member the proposal is enacted at once);
  2. each document is notarized by the party that produced it
     (`tiezheng notarize`) and filed in its houses' archives by the receiving
     unit (`tiezheng house link`);
  3. the joint acceptance record is opened and signed by the construction
     unit, the receiving unit and the inspector (`tiezheng acceptance`).

Usage: load-sample.py TIEZHENG_BINARY MEMBER_KEY SAMPLE_DIR KEY_DIR
The server and client home come from $TZ_SERVER and $TZ_HOME. Prints the
acceptance record id on the last line. Safe to rerun against the same node:
keys, notarizations and links that exist already are reused.
"""
import json
import os
import subprocess
import sys


def run(tz, *args):
    res = subprocess.run([tz, *args, "--json"], capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(f"$ tiezheng {' '.join(args)}\n{res.stdout}{res.stderr}")
        sys.exit(res.returncode)
    return json.loads(res.stdout) if res.stdout.strip() else {}


def main():
    tz, member_key, sample_dir, key_dir = sys.argv[1:5]
    with open(os.path.join(sample_dir, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    project = m["project"]["id"]
    os.makedirs(key_dir, mode=0o700, exist_ok=True)

    keys = {}
    for p in m["parties"]:
        path = os.path.join(key_dir, p["key"])
        if not os.path.exists(path):
            run(tz, "key", "new", "--key", path, "--name", p["id"])
        info = run(tz, "key", "show", "--key", path)
        if not info.get("registered"):
            run(tz, "key", "register", "--pub", path, "--party", p["id"],
                "--roles", ",".join(p["roles"]), "--key", member_key,
                "--reason", f"sample party {p['name']}")
        keys[p["id"]] = path
        print(f"  密钥 key    {p['id']:<20} {info['key']}  ({p['name']})")

    filer = keys[m["filed_by"]]
    for d in m["documents"]:
        path = os.path.join(sample_dir, d["file"])
        out = run(tz, "notarize", path, "--type", d["doc_type"], "--project", project,
                  "--house", d["house"], "--title", d["title"], "--no-link",
                  "--key", keys[d["notarized_by"]])
        for house in d["filed_in"]:
            run(tz, "house", "link", out["sha256"], "--house", house, "--type", d["doc_type"],
                "--key", filer)
        print(f"  存证 notarized {d['file']}  sha256 {out['sha256'][:16]}…  -> {', '.join(d['filed_in'])}")

    a = m["acceptance"]
    items = ",".join(f"{k}={v}" for k, v in a["items"].items())
    opened = run(tz, "acceptance", "open", "--project", project, "--house", a["house"],
                 "--items", items, "--report", os.path.join(sample_dir, a["report"]),
                 "--key", keys[a["opened_by"]])
    record = opened["record"]
    for s in a["signatures"]:
        run(tz, "acceptance", "sign", record, "--role", s["role"], "--verdict", s["verdict"],
            "--key", keys[s["party"]])
        print(f"  验收签署 signed  {s['role']:<18} by {s['party']}")
    status = run(tz, "acceptance", "show", record)
    print(f"  联合验收 acceptance record {record}: {status['status']}")
    print(record)


if __name__ == "__main__":
    main()
