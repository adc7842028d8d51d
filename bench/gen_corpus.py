#!/usr/bin/env python3
"""Generate the synthetic benchmark inputs (deterministic, fixed seed).

  gen_corpus.py corpus  --out bench/work/corpus --size-mb 200
      Realistic-looking source tree (Python, JS, YAML, JSON, .env, Terraform, Markdown) with a
      planted fake key every so often. Writes <out>/../corpus-manifest.json (planted count).
  gen_corpus.py history --out bench/work/history-repo --commits 2000
      A git repository built with `git fast-import`: ~2000 commits editing files; some commits add a
      key and a later commit removes it again.

Both are skipped when the output already exists with the same parameters (stamp file).
Planted keys come from bench/accuracy/make_corpus.py's generators (fake, real shape).
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "accuracy"))
import make_corpus as mc  # noqa: E402

WORDS = ("account address admin agent alert amount api archive asset audit backend balance batch billing block bucket "
         "buffer build cache callback cart catalog channel chart check client cluster column commit config connection "
         "consumer context counter customer dashboard data database date debug delivery deploy device digest document "
         "domain driver email endpoint engine entity error event export feature field file filter flag format gateway "
         "graph group handler header health history host image import index input instance invoice item job key label "
         "layer ledger limit list loader lock log manager mapping message metric model module monitor node notice "
         "number object order owner packet page parser partition path payload payment peer pipeline plan policy pool "
         "port post price process product profile project provider proxy queue quota range rate reader record region "
         "registry release report request resource response result retry role route rule sample schema scope search "
         "segment sender server service session shard signal snapshot source stage state status storage stream "
         "subscription summary table task template tenant thread ticket timer token topic trace track transaction "
         "transfer trigger type update upload user value vendor version view volume warehouse worker workflow zone").split()
SENT = ("the quick brown fox jumps over lazy dogs while the scheduler retries failed jobs with exponential backoff and "
        "the cache is invalidated when upstream data changes so that readers never observe stale values across "
        "regions during a rolling deployment of the service mesh").split()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def w(self):
        return self.r.choice(WORDS)

    def ident(self):
        return "%s_%s" % (self.w(), self.w())

    def camel(self):
        a, b = self.w(), self.w()
        return a + b.capitalize()

    def cls(self):
        return self.w().capitalize() + self.w().capitalize()

    def sentence(self, lo=6, hi=16):
        n = self.r.randint(lo, hi)
        s = " ".join(self.r.choice(SENT) for _ in range(n))
        return s.capitalize() + "."

    def num(self):
        return self.r.randint(0, 5000)

    # -- per-type line producers -------------------------------------------------------------
    def py(self, nlines):
        out = ['"""%s"""' % self.sentence(), "import %s" % self.w(), "from %s.%s import %s" % (self.w(), self.w(), self.cls()), ""]
        while len(out) < nlines:
            c = self.cls()
            out += ["", "class %s(%s):" % (c, self.cls()), '    """%s"""' % self.sentence(), ""]
            for _ in range(self.r.randint(2, 6)):
                fn, a, b, v = self.ident(), self.w(), self.w() + "_id", self.ident()
                out += ["    def %s(self, %s, %s=None):" % (fn, a, b),
                        "        # %s" % self.sentence(),
                        "        %s = self.%s(%s, %d)" % (v, self.ident(), a, self.num()),
                        "        if %s is None or len(%s) > %d:" % (b, v, self.num()),
                        '            logger.info("%s %%s", %s)' % (self.sentence(3, 8), v),
                        "            raise %sError(%r)" % (self.cls(), self.w()),
                        "        return {%r: %s, %r: %s}" % (self.w(), v, self.w(), a), ""]
        return out

    def js(self, nlines):
        out = ["import { %s } from './%s';" % (self.cls(), self.w()), "import %s from '%s';" % (self.camel(), self.w()), ""]
        while len(out) < nlines:
            fn, a, v = self.camel(), self.camel(), self.camel()
            out += ["/**", " * %s" % self.sentence(), " */",
                    "export async function %s(%s, options = {}) {" % (fn, a),
                    "  const %s = await fetch(`/api/%s/${%s}`, { method: 'POST' });" % (v, self.w(), a),
                    "  if (!%s.ok) throw new Error('%s');" % (v, self.sentence(3, 6)),
                    "  const { %s, %s } = await %s.json();" % (self.camel(), self.camel(), v),
                    "  return %s.map((x) => x.%s * %d);" % (a, self.camel(), self.num()), "}", ""]
        return out

    def yaml(self, nlines):
        out = ["# %s" % self.sentence(), "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: %s" % self.w()]
        while len(out) < nlines:
            out += ["%s:" % self.camel()]
            for _ in range(self.r.randint(3, 8)):
                out += ["  %s: %s" % (self.camel(), self.r.choice([self.w(), str(self.num()), "true", "false", '"%s"' % self.sentence(2, 5)]))]
            out += ["  - name: %s-%d" % (self.w(), self.num()), "    image: %s/%s:%d.%d" % (self.w(), self.w(), self.num() % 9, self.num() % 30)]
        return out

    def json(self, nlines):
        out = ["["]
        while len(out) < nlines:
            rec = {"id": self.num(), "name": self.ident(), "email": "%s@%s.example.com" % (self.w(), self.w()),
                   "tags": [self.w() for _ in range(self.r.randint(1, 4))], "active": self.r.random() < 0.5,
                   "created": "2023-%02d-%02dT%02d:%02d:00Z" % (self.r.randint(1, 12), self.r.randint(1, 28), self.r.randint(0, 23), self.r.randint(0, 59)),
                   "note": self.sentence(4, 12)}
            out.append("  " + json.dumps(rec) + ",")
        out[-1] = out[-1].rstrip(",")
        out.append("]")
        return out

    def env(self, nlines):
        out = ["# %s" % self.sentence()]
        while len(out) < nlines:
            k = self.ident().upper()
            out.append("%s=%s" % (k, self.r.choice([self.w(), str(self.num()), "https://%s.example.com/%s" % (self.w(), self.w()), "true"])))
        return out

    def tf(self, nlines):
        out = ['terraform {', '  required_version = ">= 1.5"', '}', ""]
        while len(out) < nlines:
            out += ['resource "aws_%s" "%s" {' % (self.ident(), self.w()),
                    '  name          = "%s-%d"' % (self.w(), self.num()),
                    '  instance_type = "t3.%s"' % self.r.choice(["micro", "small", "large"]),
                    '  tags = {', '    Team = "%s"' % self.w(), '    Env  = "%s"' % self.r.choice(["prod", "dev"]), '  }', '}', ""]
        return out

    def md(self, nlines):
        out = ["# %s" % self.cls(), ""]
        while len(out) < nlines:
            out += ["## %s %s" % (self.w().capitalize(), self.w()), ""]
            out += [" ".join(self.sentence() for _ in range(self.r.randint(2, 5))) for _ in range(self.r.randint(1, 3))]
            out += ["", "```bash", "%s --%s %s" % (self.w(), self.w(), self.w()), "```", ""]
        return out


KINDS = [("py", ".py", 0.32), ("js", ".js", 0.22), ("yaml", ".yaml", 0.1), ("json", ".json", 0.12),
         ("env", ".env", 0.04), ("tf", ".tf", 0.08), ("md", ".md", 0.12)]
PLANT = {
    "py": '{v} = "{k}"', "js": "const {v} = '{k}';", "yaml": "  {v}: {k}", "json": '  {{"{v}": "{k}"}},',
    "env": "{V}={k}", "tf": '  {v} = "{k}"', "md": "Use the key `{k}` for {v}.",
}
PLANT_PROVIDERS = [p for p in mc.GEN if p != "azure-storage"]


def plant_line(g, kind, with_key=False):
    p = g.r.choice(PLANT_PROVIDERS)
    k = mc.GEN[p]()
    v = "%s_token" % g.w()
    line = PLANT[kind].format(v=v, V=v.upper(), k=k)
    return (line, p, k) if with_key else (line, p)


def gen_file(g, kind, nlines):
    return getattr(g, kind)(nlines)


def stamp_ok(out, params):
    st = os.path.join(out, ".gen-stamp") if os.path.isdir(out) else None
    if st and os.path.exists(st):
        with open(st) as fh:
            return fh.read() == json.dumps(params)
    return False


def write_stamp(out, params, inside=True):
    with open(os.path.join(out, ".gen-stamp"), "w") as fh:
        fh.write(json.dumps(params))


def corpus(out, size_mb, seed, plant_every):
    params = {"kind": "corpus", "size_mb": size_mb, "seed": seed, "plant_every": plant_every, "v": 2}
    if stamp_ok(out, params):
        print("corpus up to date: %s" % out)
        return
    if os.path.exists(out):
        shutil.rmtree(out)
    g = Gen(seed)
    mc.rng = random.Random(seed + 1)  # the key generators use make_corpus's module-level rng
    target = size_mb * 1024 * 1024
    total = nfiles = planted = 0
    weights = [k[2] for k in KINDS]
    manifest = {}
    while total < target:
        kind, ext, _ = g.r.choices(KINDS, weights)[0]
        svc = "svc-%02d" % g.r.randint(0, 39)
        sub = g.r.choice(["src", "lib", "config", "deploy", "docs", "internal", "scripts", "tests"])
        d = os.path.join(out, svc, sub, g.w())
        name = ("%s%s" % (g.ident(), ext)) if kind != "env" else g.r.choice([".env", ".env.local", "config.env"])
        path = os.path.join(d, name)
        if os.path.exists(path):
            continue
        lines = gen_file(g, kind, g.r.randint(40, 900))
        if nfiles % plant_every == plant_every - 1:
            line, prov = plant_line(g, kind)
            at = g.r.randint(1, len(lines) - 1)
            lines.insert(at, line)
            planted += 1
            manifest[os.path.relpath(path, out)] = {"line": at + 1, "provider": prov}
        data = "\n".join(lines) + "\n"
        os.makedirs(d, exist_ok=True)
        with open(path, "w") as fh:
            fh.write(data)
        total += len(data)
        nfiles += 1
    write_stamp(out, params)
    with open(out.rstrip("/") + "-manifest.json", "w") as fh:
        json.dump({"files": nfiles, "bytes": total, "planted": planted, "plants": manifest}, fh, indent=0)
    print("corpus: %d files, %.1f MiB, %d planted keys -> %s" % (nfiles, total / 1048576, planted, out))


def history(out, commits, seed):
    params = {"kind": "history", "commits": commits, "seed": seed, "v": 3}
    if stamp_ok(out, params):
        print("history repo up to date: %s" % out)
        return
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    g = Gen(seed)
    mc.rng = random.Random(seed + 1)
    files = {}
    nfiles = max(60, commits // 8)
    for i in range(nfiles):
        kind, ext, _ = g.r.choices(KINDS, [k[2] for k in KINDS])[0]
        name = "%s/%s/%s%s" % (g.r.choice(["api", "web", "infra", "worker", "docs"]), g.w(), g.ident(), ext if kind != "env" else ".env")
        files[name] = (kind, gen_file(g, kind, g.r.randint(30, 400)))
    names = sorted(files)
    pending_removal = []  # (commit_index_to_remove_at, file, line_text)
    key_hashes = []  # sha256 of every planted key value (the values themselves are not stored)
    added = removed = 0
    buf = []

    def blob_cmd(path, lines):
        data = ("\n".join(lines) + "\n").encode()
        buf.append(b"M 100644 inline " + path.encode() + b"\n")
        buf.append(b"data %d\n" % len(data))
        buf.append(data)

    t0 = 1600000000
    for c in range(commits):
        msg = ("%s %s: %s" % (g.r.choice(["fix", "feat", "chore", "refactor", "docs"]), g.w(), g.sentence(3, 9))).encode()
        ts = t0 + c * 3600
        buf.append(b"commit refs/heads/main\n")
        buf.append(b"mark :%d\n" % (c + 1))
        buf.append(b"author Dev %d <dev%d@example.com> %d +0000\n" % (c % 7, c % 7, ts))
        buf.append(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (c % 7, c % 7, ts))
        buf.append(b"data %d\n" % len(msg) + msg + b"\n")
        if c > 0:
            buf.append(b"from :%d\n" % c)
        touched = set()
        if c == 0:
            touched = set(names)
        else:
            for _ in range(g.r.randint(1, 4)):
                fn = g.r.choice(names)
                kind, lines = files[fn]
                at = g.r.randint(1, len(lines) - 1)
                new = gen_file(g, kind, 6)[-g.r.randint(1, 5):]
                lines[at:at + g.r.randint(0, 3)] = new
                touched.add(fn)
            # plant a key now and then; remove it some commits later
            if c % 25 == 7:
                fn = g.r.choice(names)
                kind, lines = files[fn]
                line, _p, key = plant_line(g, kind, with_key=True)
                key_hashes.append(hashlib.sha256(key.encode()).hexdigest())
                lines.insert(g.r.randint(1, len(lines) - 1), line)
                touched.add(fn)
                added += 1
                if g.r.random() < 0.7:
                    pending_removal.append((c + g.r.randint(1, 40), fn, line))
            for item in [x for x in pending_removal if x[0] <= c]:
                pending_removal.remove(item)
                _, fn, line = item
                kind, lines = files[fn]
                if line in lines:
                    lines.remove(line)
                    removed += 1
                    touched.add(fn)
        for fn in sorted(touched):
            blob_cmd(fn, files[fn][1])
        buf.append(b"\n")
    stream = b"".join(buf)
    subprocess.run(["git", "-C", out, "fast-import", "--quiet"], input=stream, check=True)
    subprocess.run(["git", "-C", out, "checkout", "-q", "-f", "main"], check=True)
    subprocess.run(["git", "-C", out, "gc", "-q"], check=True)
    write_stamp(out, params)
    # keep the stamp out of the tools' view of the working tree
    with open(os.path.join(out, ".git", "info", "exclude"), "a") as fh:
        fh.write(".gen-stamp\n")
    with open(out.rstrip("/") + "-manifest.json", "w") as fh:
        json.dump({"commits": commits, "files": nfiles, "keys_added": added, "keys_removed": removed,
                   "key_sha256": key_hashes}, fh)
    print("history: %d commits, %d files, %d keys added (%d later removed) -> %s" % (commits, nfiles, added, removed, out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("corpus")
    a.add_argument("--out", default=os.path.join(HERE, "work", "corpus"))
    a.add_argument("--size-mb", type=int, default=200)
    a.add_argument("--seed", type=int, default=1337)
    a.add_argument("--plant-every", type=int, default=40, help="plant one key in every Nth file")
    h = sub.add_parser("history")
    h.add_argument("--out", default=os.path.join(HERE, "work", "history-repo"))
    h.add_argument("--commits", type=int, default=2000)
    h.add_argument("--seed", type=int, default=4242)
    args = ap.parse_args()
    if args.cmd == "corpus":
        corpus(args.out, args.size_mb, args.seed, args.plant_every)
    else:
        history(args.out, args.commits, args.seed)


if __name__ == "__main__":
    main()
