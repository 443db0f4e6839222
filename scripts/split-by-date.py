#!/usr/bin/env python3
"""Temporal split of an Online Retail CSV (plain or .gz) into train (InvoiceDate < cutoff) and test (>= cutoff).

usage: split-by-date.py <in.csv[.gz]> <cutoff YYYY-MM-DD> <train.csv> <test.csv>
Rows are copied unchanged (header included in both); dates are compared as ISO text, as the referee does."""
import csv, gzip, sys

src, cutoff, train_path, test_path = sys.argv[1:5]
opener = gzip.open if src.endswith('.gz') else open
with opener(src, 'rt', encoding='utf-8', newline='') as f, \
        open(train_path, 'w', encoding='utf-8', newline='') as tr, open(test_path, 'w', encoding='utf-8', newline='') as te:
    rows = csv.reader(f)
    header = next(rows)
    date_col = header.index('InvoiceDate')
    w_train, w_test = csv.writer(tr, lineterminator='\n'), csv.writer(te, lineterminator='\n')
    w_train.writerow(header); w_test.writerow(header)
    n_train = n_test = 0
    for r in rows:
        if r[date_col] < cutoff:
            w_train.writerow(r); n_train += 1
        else:
            w_test.writerow(r); n_test += 1
print(f'{n_train} train rows, {n_test} test rows (cutoff {cutoff})', file=sys.stderr)
