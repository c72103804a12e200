#!/usr/bin/env python3
"""Where two variants' CPU differs, from a variants.sh run with BENCH_PERF=PERFDIR.

  profile_diff.py RESULTS PERFDIR A B

Each symbol's samples per 10k requests (averaged over the reps), A against B: by DSO first, then the
symbols that differ most.
"""
import subprocess, sys, collections

from resultlines import ok_results

res, d, A, B = sys.argv[1:5]
reqs = {(kv['target'], kv['rep']): int(kv['requests']) for kv in ok_results(res)}
def load(label):
    tot = collections.Counter(); n = 0
    for (t, r), q in reqs.items():
        if t != label: continue
        out = subprocess.run(['perf','report','-i',f'{d}/{t}-{r}.perf.data','--no-children','--sort','dso,sym','-n','--stdio','-g','none','-t','|'],capture_output=True,text=True).stdout
        for line in out.splitlines():
            p = line.split('|')
            if len(p) < 4 or not p[1].strip().isdigit(): continue
            dso = 'JIT' if p[2].startswith('[JIT]') else p[2].strip()[:20]
            tot[(dso, p[3].strip()[4:110])] += int(p[1]) * 10000 / q
        n += 1
    return {k: v / n for k, v in tot.items()}
a, b = load(A), load(B)
print(f'total {A}={sum(a.values()):.1f} {B}={sum(b.values()):.1f}')
bydso = collections.Counter()
for k in set(a)|set(b): bydso[k[0]] += a.get(k,0)-b.get(k,0)
for k, v in bydso.most_common(): 
    if abs(v) > 1: print(f'  dso {k}: {v:+.1f}')
diffs = sorted(((a.get(k,0)-b.get(k,0)), k) for k in set(a)|set(b))
for v, k in diffs[::-1][:45]: print(f'{v:+7.2f} {a.get(k,0):7.2f} {k[0]} {k[1]}')
print('...')
for v, k in diffs[:10]: print(f'{v:+7.2f} {a.get(k,0):7.2f} {k[0]} {k[1]}')
