# Recomputes triagebench's figures from its predictions file with scikit-learn (an outside check of the Swift
# evaluation code): top-1, top-3 and macro-F1 (scikit-learn's f1_score, average="macro", its default labels).
#   python3 bench/triage/check_metrics.py /tmp/triage/pred.tsv
import csv, sys
from sklearn.metrics import f1_score, accuracy_score
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t', quoting=csv.QUOTE_NONE))
for head in ['unit', 'category']:
    r = [x for x in rows if x['head'] == head]
    truth = [x['truth'] for x in r]; first = [x['r1'] for x in r]
    top3 = sum(x['truth'] in (x['r1'], x['r2'], x['r3']) for x in r) / len(r)
    print(f"{head}: n {len(r)} top1 {accuracy_score(truth, first):.3f} top3 {top3:.3f} "
          f"macroF1 {f1_score(truth, first, average='macro', zero_division=0):.3f}")
