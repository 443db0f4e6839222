#!/usr/bin/env python3
"""Builds samples/online-retail-sample.csv.gz from the full UCI Online Retail file (stdlib only, deterministic).

usage: make-sample.py <online_retail.csv.gz> <out.csv.gz> [customers=800] [seed=7]
Keeps every row (purchases, cancellations, dirt) of a seeded random choice of customers, plus a small share of
anonymous rows so that the loaders meet the real file's dirt. Rows keep the original order and columns."""
import csv, gzip, io, random, sys

src, out = sys.argv[1], sys.argv[2]
n_customers = int(sys.argv[3]) if len(sys.argv) > 3 else 800
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
with gzip.open(src, 'rt', encoding='utf-8', newline='') as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
cust_col = header.index('CustomerID')
customers = sorted({r[cust_col] for r in body if r[cust_col]})
chosen = set(rng.sample(customers, n_customers))
kept = [r for r in body if (r[cust_col] in chosen) or (not r[cust_col] and rng.random() < 0.02)]
buf = io.StringIO()
w = csv.writer(buf, lineterminator='\n')
w.writerow(header)
w.writerows(kept)
with gzip.GzipFile(out, 'wb', mtime=0) as g:
    g.write(buf.getvalue().encode('utf-8'))
print(f'{len(kept)} rows, {n_customers} customers -> {out}')
