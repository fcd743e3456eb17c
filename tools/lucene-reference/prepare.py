#!/usr/bin/env python3
"""Writes a KorQuAD/SQuAD file as the two tab-separated files Recall.java reads.

passages.tsv   passage id, text, title   one per distinct paragraph context (first one wins)
questions.tsv  question id, question, space-separated ids of the passages that contain the
               whole gold paragraph (the retrieval hit rule of Mrc.Core RetrievalHits with
               whole paragraphs as passages)

The questions can be one half of a deterministic split by article, as `mrc retrieval eval
--half-by articles`: article titles sorted by ordinal (UTF-16 code unit) order, the first
ceil(m/2) articles are the first half, the rest the second.

usage: prepare.py DATASET OUT_DIR [all|first|second]
"""
import json
import sys


def utf16_key(text):
    return text.encode("utf-16-be")


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def main():
    dataset, out_dir = sys.argv[1], sys.argv[2]
    half = sys.argv[3] if len(sys.argv) > 3 else "all"
    articles = json.load(open(dataset, encoding="utf-8"))["data"]

    titles = sorted({a["title"] for a in articles}, key=utf16_key)
    first = set(titles[: (len(titles) + 1) // 2])
    chosen = {"all": set(titles), "first": first, "second": set(titles) - first}[half]

    passages = {}  # text -> id
    titles_of = {}  # id -> article title
    for a, article in enumerate(articles):
        for p, paragraph in enumerate(article["paragraphs"]):
            if paragraph["context"] not in passages:
                passages[paragraph["context"]] = f"{a}-{p}"
                titles_of[f"{a}-{p}"] = article["title"]

    containing = {}
    with open(f"{out_dir}/questions.tsv", "w", encoding="utf-8") as out:
        for article in articles:
            if article["title"] not in chosen:
                continue
            for paragraph in article["paragraphs"]:
                context = paragraph["context"]
                if context not in containing:
                    containing[context] = " ".join(pid for text, pid in passages.items() if context in text)
                for qa in paragraph["qas"]:
                    out.write(f"{qa['id']}\t{escape(qa['question'])}\t{containing[context]}\n")
    with open(f"{out_dir}/passages.tsv", "w", encoding="utf-8") as out:
        for text, pid in passages.items():
            out.write(f"{pid}\t{escape(text)}\t{escape(titles_of[pid])}\n")


if __name__ == "__main__":
    main()
