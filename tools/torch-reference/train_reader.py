"""Trains small Korean BERT readers from scratch with PyTorch on a GPU: masked-LM pre-training on
every Korean paragraph given, then question-answering stages, each run scored on the dev articles
with KorQuAD's metric after every epoch. Writes the best model of each architecture as a Hugging
Face BertForQuestionAnswering folder and every figure to results.json.

The runs are the same recipes `mrc train` runs (configs/ in this repository); this script exists for
machines with a GPU and PyTorch but no .NET, and its output is scored by `mrc eval` like any model.

  python3 train_reader.py --data DIR --out DIR [--budget-seconds 420] [--quick]

DIR holds train.json, dev.json (SQuAD format, split by article), cloze-*.json and klue-*.{json,tsv},
vocab.txt and tokenizer_config.json.
"""
import argparse
import copy
import glob
import json
import math
import os
import random
import shutil
import struct
import sys
import time
from multiprocessing import Pool

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert import BertForMaskedLM, BertForQuestionAnswering, init_weights  # noqa: E402
from squad import MAX_SEQ, best_span, load_examples, score, windows  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

ARCHS = {
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
    "medium": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, intermediate_size=1536),
}

START = time.time()


def log(message):
    print(f"[{time.time() - START:7.1f}s] {message}", flush=True)


def config_for(arch, vocab_size):
    c = dict(model_type="bert", architectures=["BertForQuestionAnswering"], vocab_size=vocab_size,
             hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
             max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0,
             position_embedding_type="absolute")
    c.update(ARCHS[arch])
    return c


# ---------------------------------------------------------------- text

def korean_texts(data):
    """Every Korean sentence of the KLUE dev files and every context of train.json."""
    texts = []
    for path in sorted(glob.glob(os.path.join(data, "klue-*"))):
        if path.endswith("nli-v1.1_dev.json"):
            for x in json.load(open(path, encoding="utf-8")):
                texts += [x["premise"], x["hypothesis"]]
        elif path.endswith("sts-v1.1_dev.json"):
            for x in json.load(open(path, encoding="utf-8")):
                texts += [x["sentence1"], x["sentence2"]]
        elif path.endswith("dp-v1.1_dev.tsv"):
            for line in open(path, encoding="utf-8"):
                if line.startswith("## klue-dp") and "\t" in line:
                    texts.append(line.split("\t", 1)[1].strip())
        elif path.endswith("ner-v1.1_dev.tsv"):
            chars = []
            for line in open(path, encoding="utf-8"):
                line = line.rstrip("\n")
                if line.startswith("##"):
                    continue
                if not line:
                    if chars:
                        texts.append("".join(chars))
                    chars = []
                else:
                    chars.append(line.split("\t")[0] or " ")
            if chars:
                texts.append("".join(chars))
    contexts = []
    for ex in load_examples(os.path.join(data, "train.json")):
        if not contexts or contexts[-1] != ex["context"]:
            contexts.append(ex["context"])
    return [t for t in texts if t.strip()] + contexts


_TOKENIZER = None


def _init_worker(vocab):
    global _TOKENIZER
    _TOKENIZER = WordPiece(vocab)


def _encode(text):
    return _TOKENIZER.encode(text)


def _windows(example_and_context):
    example, context = example_and_context
    return windows(_TOKENIZER, example, context)


# ---------------------------------------------------------------- masked LM

def mlm_sequences(tok, encoded):
    """Packs the token stream into [CLS] ... [SEP] sequences of MAX_SEQ tokens."""
    stream = []
    for ids, _ in encoded:
        stream += ids + [tok.sep]
    body = MAX_SEQ - 2
    rows = [[tok.cls] + stream[i:i + body] + [tok.sep] for i in range(0, len(stream), body)]
    rows = [r + [tok.pad] * (MAX_SEQ - len(r)) for r in rows]
    return torch.tensor(rows, dtype=torch.long)


def mask_tokens(ids, tok, generator_device):
    labels = ids.clone()
    special = (ids == tok.cls) | (ids == tok.sep) | (ids == tok.pad)
    chosen = (torch.rand(ids.shape, device=generator_device) < 0.15) & ~special
    labels[~chosen] = -100
    ids = ids.clone()
    roll = torch.rand(ids.shape, device=generator_device)
    ids[chosen & (roll < 0.8)] = tok.mask
    random_tokens = torch.randint(5, tok.size, ids.shape, device=generator_device)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    ids[swap] = random_tokens[swap]
    return ids, labels


def optimizer_for(model, lr, device):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "LayerNorm" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}]
    fused = {"fused": True} if device.type == "cuda" else {}
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.98), eps=1e-6, **fused)


def set_rate(optimizer, lr, step, total, warmup):
    """Linear warm-up to lr, then linear decay to zero at step total."""
    factor = (step + 1) / warmup if step < warmup else max(0.0, (total - step) / max(1, total - warmup))
    for group in optimizer.param_groups:
        group["lr"] = lr * factor


def autocast(device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


def pretrain(arch, tok, sequences, device, seconds, lr, batch, results, min_steps=40):
    config = config_for(arch, tok.size)
    torch.manual_seed(42)
    model = BertForMaskedLM(config)
    init_weights(model)
    model.to(device).train()
    data = sequences.to(device)
    steps_per_epoch = math.ceil(len(data) / batch)
    # Time-boxed: estimate the step budget from the first 20 steps, then schedule the rate over it.
    optimizer = optimizer_for(model, lr, device)
    total = None
    step = 0
    losses = []
    t0 = time.time()
    while True:
        order = torch.randperm(len(data), device=device)
        for i in range(steps_per_epoch):
            rows = data[order[i * batch:(i + 1) * batch]]
            ids, labels = mask_tokens(rows, tok, device)
            # Until the step budget is known, warm up as if it were 40 steps away.
            set_rate(optimizer, lr, step, total or 40 * 16, max(1, (total or 40 * 16) // 16))
            with autocast(device):
                logits = model(ids, torch.zeros_like(ids), (rows != tok.pad).long())
            loss = F.cross_entropy(logits.float().view(-1, tok.size), labels.view(-1), ignore_index=-100)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            if step % 10 == 0 or (total and step > total - 10):
                losses.append(loss.item())
            if step == min(10, min_steps):
                t_warm = time.time()
            if step == min(40, min_steps) and total is None:
                per_step = (time.time() - t_warm) / max(1, step - min(10, min_steps)) if step > 10 else (time.time() - t0) / step
                total = max(min_steps, int((seconds - (time.time() - t0)) / per_step) + step)
                log(f"mlm {arch}: {per_step * 1000:.1f} ms/step, {total} steps ({total / steps_per_epoch:.1f} epochs)")
            if total and step >= total:
                break
            if step % 200 == 0:
                log(f"mlm {arch}: step {step}/{total} loss {loss.item():.3f}")
        if total and step >= total:
            break
    final = losses[-10:] or [loss.item()]
    results["mlm"][arch] = {"sequences": len(data), "max_length": MAX_SEQ, "batch_size": batch, "steps": step,
                            "epochs": round(step / steps_per_epoch, 1), "learning_rate": lr,
                            "seconds": round(time.time() - t0, 1), "final_loss": round(sum(final) / len(final), 4)}
    log(f"mlm {arch}: done, loss {results['mlm'][arch]['final_loss']}")
    return {k: v.detach().cpu().clone() for k, v in model.bert.state_dict().items()}, config


# ---------------------------------------------------------------- reading

def to_tensors(ws, tok):
    ids = torch.full((len(ws), MAX_SEQ), tok.pad, dtype=torch.long)
    types = torch.zeros((len(ws), MAX_SEQ), dtype=torch.long)
    for r, w in enumerate(ws):
        ids[r, :len(w["ids"])] = torch.tensor(w["ids"])
        types[r, w["context_start"]:len(w["ids"])] = 1
    positions = torch.tensor([[w["start"], w["end"]] for w in ws], dtype=torch.long)
    return ids, types, positions


def evaluate(model, dev, tok, device):
    ids, types, _ = dev["tensors"]
    model.eval()
    starts, ends = [], []
    with torch.no_grad(), autocast(device):
        for i in range(0, len(ids), 256):
            b = ids[i:i + 256].to(device)
            s, e = model(b, types[i:i + 256].to(device), (b != tok.pad).long())
            starts.append(s.float().cpu())
            ends.append(e.float().cpu())
    model.train()
    starts, ends = torch.cat(starts).tolist(), torch.cat(ends).tolist()
    best = {}
    for w, s, e in zip(dev["windows"], starts, ends):
        sc, a, b = best_span(s, e, w)
        if w["example"] not in best or sc > best[w["example"]][0]:
            best[w["example"]] = (sc, a, b)
    contexts = {ex["id"]: ex["context"] for ex in dev["examples"]}
    predictions = {k: contexts[k][a:b] for k, (_, a, b) in best.items()}
    return score(dev["examples"], predictions)


def train_stage(model, data, tok, device, stage, dev, budget_end, history, label):
    ids, types, positions = data
    batch = stage.get("batch_size", 64)
    steps_per_epoch = math.ceil(len(ids) / batch)
    total = steps_per_epoch * stage["epochs"]
    optimizer = optimizer_for(model, stage["lr"], device)
    ids, types, positions = ids.to(device), types.to(device), positions.to(device)
    best = None
    generator = torch.Generator(device="cpu").manual_seed(42)
    for epoch in range(stage["epochs"]):
        t0 = time.time()
        order = torch.randperm(len(ids), generator=generator).to(device)
        for i in range(steps_per_epoch):
            rows = order[i * batch:(i + 1) * batch]
            b = ids[rows]
            set_rate(optimizer, stage["lr"], epoch * steps_per_epoch + i, total, max(1, int(total * 0.1)))
            with autocast(device):
                s, e = model(b, types[rows], (b != tok.pad).long())
            loss = (F.cross_entropy(s, positions[rows, 0]) + F.cross_entropy(e, positions[rows, 1])) / 2
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        em, f1 = evaluate(model, dev, tok, device)
        row = {"stage": label, "epoch": epoch + 1, "loss": round(loss.item(), 4), "dev_em": round(em, 2),
               "dev_f1": round(f1, 2), "seconds": round(time.time() - t0, 1), "windows": len(ids)}
        history.append(row)
        log(f"  {label} epoch {epoch + 1}/{stage['epochs']}: loss {loss.item():.3f} dev EM {em:.2f} F1 {f1:.2f}")
        if best is None or f1 > best[0]:
            best = (f1, em, copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()}))
        if time.time() > budget_end:
            log("  time budget reached; stopping this run")
            return best, True
    return best, False


def save_safetensors(state, path, dtype=torch.float16):
    header, chunks, offset = {}, [], 0
    for name in sorted(state):
        t = state[name].to(dtype).contiguous()
        raw = t.numpy().tobytes() if dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": {torch.float16: "F16", torch.float32: "F32", torch.bfloat16: "BF16"}[dtype],
                        "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)


def save_model(state, config, data, folder, record):
    os.makedirs(folder, exist_ok=True)
    save_safetensors(state, os.path.join(folder, "model.safetensors"))
    json.dump(config, open(os.path.join(folder, "config.json"), "w"), indent=2)
    for name in ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(data, name)):
            shutil.copy(os.path.join(data, name), folder)
    json.dump(record, open(os.path.join(folder, "training.json"), "w"), indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- plan

def plan(quick, name="compare"):
    """Runs in order of importance: the budget may end the list early."""
    e = (lambda n: 1) if quick else (lambda n: n)
    b = 4 if quick else 64
    cloze = {"data": "cloze", "epochs": e(2), "lr": 3e-4, "batch_size": b}
    real = lambda lr: {"data": "train", "epochs": e(12), "lr": lr, "batch_size": b}
    mixed = {"data": "cloze+train", "epochs": e(4), "lr": 3e-4, "batch_size": b}
    if name == "finetune":
        return [
            {"name": "medium-train-only-lr1e-4", "arch": "medium", "stages": [real(1e-4)]},
            {"name": "small-train-only-lr3e-4", "arch": "small", "stages": [real(3e-4)]},
            {"name": "medium-train-only-lr2e-4", "arch": "medium", "stages": [real(2e-4)]},
            {"name": "small-train-only-lr1e-4", "arch": "small", "stages": [real(1e-4)]},
            {"name": "medium-staged-lr1e-4", "arch": "medium",
             "stages": [dict(cloze, epochs=1), real(1e-4)]},
        ]
    return [
        {"name": "small-staged", "arch": "small", "stages": [cloze, real(1e-4)]},
        {"name": "medium-staged", "arch": "medium", "stages": [cloze, real(1e-4)]},
        {"name": "medium-train-only", "arch": "medium", "stages": [real(3e-4)]},
        {"name": "medium-mixed", "arch": "medium", "stages": [mixed]},
        {"name": "small-train-only", "arch": "small", "stages": [real(3e-4)]},
        {"name": "medium-staged-lr3e-4", "arch": "medium", "stages": [cloze, real(3e-4)]},
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget-seconds", type=float, default=420)
    ap.add_argument("--mlm-seconds", type=float, default=60, help="per architecture")
    ap.add_argument("--mlm-lr", type=float, nargs=2, default=[5e-4, 3e-4], help="small, medium")
    ap.add_argument("--mlm-questions", action="store_true", help="add the train questions to the masked-LM text")
    ap.add_argument("--plan", choices=["compare", "finetune"], default="compare")
    ap.add_argument("--quick", action="store_true", help="tiny subsets and one epoch per stage (a smoke test)")
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    args = ap.parse_args()
    budget_end = START + args.budget_seconds
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    log(f"torch {torch.__version__} on {device} ({torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu'})")
    random.seed(42)
    vocab = os.path.join(args.data, "vocab.txt")
    tok = WordPiece(vocab)
    results = {"device": str(device), "torch": torch.__version__, "mlm": {}, "runs": []}

    cap = (lambda xs: xs[:12]) if args.quick else (lambda xs: xs)
    train = cap(load_examples(os.path.join(args.data, "train.json")))
    dev_examples = cap(load_examples(os.path.join(args.data, "dev.json")))
    cloze = []
    for path in sorted(glob.glob(os.path.join(args.data, "cloze-*.json"))):
        cloze += cap(load_examples(path))
    texts = cap(korean_texts(args.data) + ([ex["question"] for ex in train] if args.mlm_questions else []))

    with Pool(args.workers, initializer=_init_worker, initargs=(vocab,)) as pool:
        encoded_texts = pool.map(_encode, texts, chunksize=256)
        contexts = sorted({ex["context"] for ex in train + dev_examples + cloze})
        encoded_contexts = dict(zip(contexts, pool.map(_encode, contexts, chunksize=64)))

        def featurize(examples):
            jobs = [(ex, encoded_contexts[ex["context"]]) for ex in examples]
            return [w for ws in pool.map(_windows, jobs, chunksize=64) for w in ws]

        train_windows = featurize(train)
        cloze_windows = featurize(cloze)
        dev_windows = featurize(dev_examples)
    log(f"data: {len(texts)} texts, {len(train)} train questions ({len(train_windows)} windows), "
        f"{len(cloze)} cloze ({len(cloze_windows)} windows), {len(dev_examples)} dev ({len(dev_windows)} windows)")
    results["data"] = {"pretraining_texts": len(texts), "train_questions": len(train), "train_windows": len(train_windows),
                       "cloze_questions": len(cloze), "cloze_windows": len(cloze_windows),
                       "dev_questions": len(dev_examples), "dev_windows": len(dev_windows)}
    sets = {"train": to_tensors(train_windows, tok), "cloze": to_tensors(cloze_windows, tok)}
    sets["cloze+train"] = tuple(torch.cat([a, b]) for a, b in zip(sets["cloze"], sets["train"]))
    dev = {"examples": dev_examples, "windows": dev_windows, "tensors": to_tensors(dev_windows, tok)}
    sequences = mlm_sequences(tok, encoded_texts)

    pretrained = {}
    for arch, lr in zip(("small", "medium"), args.mlm_lr):
        pretrained[arch] = pretrain(arch, tok, sequences, device, args.mlm_seconds, lr, 2 if args.quick else 128, results,
                                    min_steps=3 if args.quick else 40)

    best_by_arch = {}
    for run in plan(args.quick, args.plan):
        if time.time() > budget_end - 20:
            log(f"skipping {run['name']}: budget spent")
            results["runs"].append({"name": run["name"], "skipped": "time budget"})
            continue
        encoder, config = pretrained[run["arch"]]
        torch.manual_seed(42)
        model = BertForQuestionAnswering(config)
        init_weights(model)
        model.bert.load_state_dict(encoder)
        model.to(device).train()
        history, best, t0 = [], None, time.time()
        log(f"run {run['name']}")
        for k, stage in enumerate(run["stages"]):
            stage_best, stopped = train_stage(model, sets[stage["data"]], tok, device, stage, dev, budget_end,
                                              history, f"{k + 1}:{stage['data']}")
            if k == len(run["stages"]) - 1 or stopped:
                best = stage_best
            if stopped:
                break
        record = {"name": run["name"], "arch": run["arch"], "stages": run["stages"], "history": history,
                  "best_dev_f1": round(best[0], 2), "best_dev_em": round(best[1], 2),
                  "seconds": round(time.time() - t0, 1)}
        results["runs"].append(record)
        log(f"run {run['name']}: best dev EM {best[1]:.2f} F1 {best[0]:.2f}")
        if run["arch"] not in best_by_arch or best[0] > best_by_arch[run["arch"]][0]:
            best_by_arch[run["arch"]] = (best[0], best[2], config, record)
            save_model(best[2], config, args.data, os.path.join(args.out, f"reader-{run['arch']}"),
                       {"run": record, "mlm": results["mlm"][run["arch"]], "data": results["data"]})
        json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=2)
    results["seconds"] = round(time.time() - START, 1)
    json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=2)
    log("done")


if __name__ == "__main__":
    main()
