#!/usr/bin/env python3
"""Compare two llama.cpp GGUF importance matrices (e.g. zq's and llama-imatrix's):
metadata, entry names, shapes and counts must agree exactly; prints the
largest and mean relative difference of the in_sum2 values.
Usage: imatrix-compare.py A.gguf B.gguf   (needs only the Python standard library)"""
import struct, sys

def read(path):
    b = open(path, 'rb').read()
    assert b[:4] == b'GGUF', path
    off = 8
    def u(fmt):
        nonlocal off
        v = struct.unpack_from('<' + fmt, b, off); off += struct.calcsize(fmt); return v[0]
    def s():
        nonlocal off
        n = u('Q'); v = b[off:off + n].decode(); off += n; return v
    nt, nkv = u('Q'), u('Q')
    sizes = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}
    def val(t):
        if t == 8: return s()
        if t == 9:
            et, n = u('I'), u('Q'); return [val(et) for _ in range(n)]
        return u(sizes[t])
    kv = {}
    for _ in range(nkv):
        k = s(); kv[k] = val(u('I'))
    infos = []
    for _ in range(nt):
        name = s(); nd = u('I'); dims = [u('Q') for _ in range(nd)]; typ = u('I'); o = u('Q')
        infos.append((name, dims, typ, o))
    align = kv.get('general.alignment', 32)
    data = (off + align - 1) // align * align
    t = {}
    for name, dims, typ, o in infos:
        n = 1
        for d in dims: n *= d
        t[name] = (dims, struct.unpack_from('<%df' % n, b, data + o))
    return kv, t

ka, ta = read(sys.argv[1]); kb, tb = read(sys.argv[2])
ok = True
for k in sorted(set(ka) | set(kb)):
    if ka.get(k) != kb.get(k):
        print('metadata %s: %r vs %r' % (k, ka.get(k), kb.get(k))); ok = False
if sorted(ta) != sorted(tb):
    print('tensors differ:', sorted(set(ta) ^ set(tb))); ok = False
worst, tot, n = 0.0, 0.0, 0
for name in sorted(set(ta) & set(tb)):
    (da, va), (db, vb) = ta[name], tb[name]
    if da != db:
        print('%s: shape %s vs %s' % (name, da, db)); ok = False; continue
    if name.endswith('.counts'):
        if va != vb: print('%s: counts %s vs %s' % (name, va[:4], vb[:4])); ok = False
        continue
    for x, y in zip(va, vb):
        d = abs(x - y) / abs(y) if y else abs(x)
        worst = max(worst, d); tot += d; n += 1
print('%d entries; in_sum2 relative difference: max %.3g, mean %.3g; metadata/counts %s'
      % (len(ta) // 2, worst, tot / max(n, 1), 'identical' if ok else 'DIFFER'))
sys.exit(0 if ok else 1)
