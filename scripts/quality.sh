#!/usr/bin/env bash
# Scores the recommender with the independent referee on the reference split of the shared Online Retail file:
# train before 2011-07-01, test Jul–Sep 2011, k = 10. Prints the referee's lines and the NDCG against the bars
# ("all" >= 0.385 from the default lists, "new" >= 0.150 from the --exclude-purchased lists of the same model).
# usage: scripts/quality.sh [online_retail.csv.gz] [evaluate.py]      (defaults: ../shared/...)
# Exit code: 0 when both bars are met, 3 when a bar is missed, other non-zero on errors.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/online-retail/online_retail_2010-12_to_2011-09.csv.gz}
referee=${2:-../shared/eval/evaluate.py}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 scripts/split-by-date.py "$data" 2011-07-01 "$work/train.csv" "$work/test.csv"
dotnet build src/SmartShop.Cli -c Release -nologo -v q >/dev/null
cli=(dotnet src/SmartShop.Cli/bin/Release/net10.0/smartshop.dll)
start=$SECONDS
"${cli[@]}" train --preset online-retail --data "$work/train.csv" --out "$work/model" 2>"$work/train.log"
echo "train: $((SECONDS - start)) s"
"${cli[@]}" recommend --model "$work/model" --users all --k 10 --out "$work/recs-all.csv" 2>/dev/null
"${cli[@]}" recommend --model "$work/model" --users all --k 10 --exclude-purchased --out "$work/recs-new.csv" 2>/dev/null

all=$(python3 "$referee" "$work/train.csv" "$work/test.csv" 10 "$work/recs-all.csv" | grep '^all ')
new=$(python3 "$referee" "$work/train.csv" "$work/test.csv" 10 "$work/recs-new.csv" | grep '^new ')
echo "referee, default lists:   $all"
echo "referee, discovery lists: $new"
python3 - "$all" "$new" <<'PY'
import ast, sys
all_m = ast.literal_eval(sys.argv[1].split(' ', 1)[1]); new_m = ast.literal_eval(sys.argv[2].split(' ', 1)[1])
ok_all, ok_new = all_m['ndcg'] >= 0.385, new_m['ndcg'] >= 0.150
print(f"NDCG@10 all {all_m['ndcg']:.4f} (bar 0.385: {'met' if ok_all else 'MISSED'}), "
      f"new {new_m['ndcg']:.4f} (bar 0.150: {'met' if ok_new else 'MISSED'})")
sys.exit(0 if ok_all and ok_new else 3)
PY
