# The baseline, reproduced independently with scikit-learn: TF-IDF over word 1-2-grams (sublinear tf) and a
# linear SVM (LinearSVC, default C=1), trained on the reports submitted before the split, tested on those on or after.
# Only reports with a disposition (a unit) are examples, as in triagebench. Also prints the same SVM with character
# 4-grams added, for reference.
#   python3 bench/triage/sklearn_baseline.py /tmp/triage/lapor.tsv 2023-01-01
import csv, sys, collections
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.metrics import f1_score
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter='\t', quoting=csv.QUOTE_NONE) if r['unit']]
split = sys.argv[2] if len(sys.argv) > 2 else '2023-01-01'
train = [r for r in rows if r['date'] < split]; test = [r for r in rows if r['date'] >= split]
text = lambda r: r['title'] + ' ' + r['body']
for chars in [False, True]:
    for label in ['unit', 'category']:
        tr = [r for r in train if r[label]]; te = [r for r in test if r[label]]
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        X = words.fit_transform(map(text, tr)); Xt = words.transform(map(text, te))
        if chars:
            c = TfidfVectorizer(analyzer='char_wb', ngram_range=(4, 4), sublinear_tf=True)
            X = hstack([X, c.fit_transform(map(text, tr))]).tocsr(); Xt = hstack([Xt, c.transform(map(text, te))]).tocsr()
        y = [r[label] for r in tr]; yt = [r[label] for r in te]
        clf = LinearSVC().fit(X, y)
        order = np.argsort(-clf.decision_function(Xt), axis=1); cls = clf.classes_
        first = [cls[o[0]] for o in order]
        top1 = np.mean([f == t for f, t in zip(first, yt)]); top3 = np.mean([t in cls[o[:3]] for o, t in zip(order, yt)])
        majority = collections.Counter(y).most_common(1)[0][0]
        print(f"{'word 1-2 + char 4' if chars else 'word 1-2 (baseline)'} {label}: train {len(tr)} test {len(te)} "
              f"classes {len(set(y))} top1 {top1:.3f} top3 {top3:.3f} macroF1 {f1_score(yt, first, average='macro', zero_division=0):.3f} "
              f"majority {np.mean([t == majority for t in yt]):.3f}")
