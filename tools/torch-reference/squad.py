"""SQuAD-format data as reader windows, span decoding and KorQuAD 1.0's official EM/F1."""
import json
import string
from collections import Counter

MAX_SEQ = 384
STRIDE = 128          # tokens shared by neighbouring windows of one context
MAX_QUERY = 64
MAX_ANSWER_TOKENS = 30


def load_examples(path):
    examples = []
    for article in json.load(open(path, encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = qa.get("answers") or []
                examples.append({
                    "id": qa["id"], "question": qa["question"], "context": paragraph["context"],
                    "answers": [a["text"] for a in answers],
                    "answer_start": answers[0]["answer_start"] if answers else -1,
                    "answer_text": answers[0]["text"] if answers else "",
                })
    return examples


def windows(tokenizer, example, context_tokens):
    """Training/evaluation windows of one question: [CLS] question [SEP] context part [SEP].

    Returns dicts with ids, the index of the first context token, the context token offsets it
    covers, and the answer's start/end token (0/0, the [CLS] token, when the window lacks it)."""
    q_ids = tokenizer.encode(example["question"])[0][:MAX_QUERY]
    c_ids, c_offsets = context_tokens
    room = MAX_SEQ - len(q_ids) - 3
    answer = None
    if example["answer_start"] >= 0:
        a_start = example["answer_start"]
        a_end = a_start + len(example["answer_text"])
        first = next((i for i, (s, e) in enumerate(c_offsets) if e > a_start), None)
        last = next((i for i in range(len(c_offsets) - 1, -1, -1) if c_offsets[i][0] < a_end), None)
        if first is not None and last is not None and first <= last:
            answer = (first, last)
    result = []
    begin = 0
    while True:
        end = min(begin + room, len(c_ids))
        ids = [tokenizer.cls] + q_ids + [tokenizer.sep] + c_ids[begin:end] + [tokenizer.sep]
        offset = len(q_ids) + 2
        start_pos = end_pos = 0
        if answer is not None and answer[0] >= begin and answer[1] < end:
            start_pos, end_pos = answer[0] - begin + offset, answer[1] - begin + offset
        result.append({"ids": ids, "context_start": offset, "offsets": c_offsets[begin:end],
                       "start": start_pos, "end": end_pos, "example": example["id"]})
        if end >= len(c_ids):
            break
        begin = end - STRIDE if end - STRIDE > begin else end
    return result


def best_span(start_logits, end_logits, window):
    """Highest start+end logit over context spans of at most MAX_ANSWER_TOKENS tokens."""
    base = window["context_start"]
    n = len(window["offsets"])
    s = start_logits[base:base + n]
    e = end_logits[base:base + n]
    best = (float("-inf"), 0, 0)
    top_starts = sorted(range(n), key=lambda i: -s[i])[:20]
    top_ends = sorted(range(n), key=lambda i: -e[i])[:20]
    for i in top_starts:
        for j in top_ends:
            if i <= j < i + MAX_ANSWER_TOKENS and s[i] + e[j] > best[0]:
                best = (s[i] + e[j], i, j)
    score, i, j = best
    return score, window["offsets"][i][0], window["offsets"][j][1]


# KorQuAD 1.0's official evaluation (character-level F1), as its script defines it.
def _normalize(s):
    for ch in ["'", '"', "《", "》", "<", ">", "〈", "〉", "(", ")", "‘", "’"]:
        s = s.replace(ch, " ")
    s = s.lower()
    exclude = set(string.punctuation)
    s = "".join(ch for ch in s if ch not in exclude)
    return " ".join(s.split())


def _f1(prediction, truth):
    p = list("".join(_normalize(prediction).split()))
    t = list("".join(_normalize(truth).split()))
    same = sum((Counter(p) & Counter(t)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(t)
    return 2 * precision * recall / (precision + recall)


def score(examples, predictions):
    em = f1 = 0.0
    for ex in examples:
        prediction = predictions.get(ex["id"], "")
        em += max(float(_normalize(prediction) == _normalize(a)) for a in ex["answers"])
        f1 += max(_f1(prediction, a) for a in ex["answers"])
    return 100 * em / len(examples), 100 * f1 / len(examples)
