// Reference encodings from Hugging Face's tokenizers, for the reader's tokenizer parity tests.
//
//   node reference.mjs encode TOKENIZER_JSON TEXTS_JSONL OUT_JSONL
//     Each input line is a JSON string; each output line is {"ids": [...], "offsets": [[start, end], ...]}
//     without special tokens, offsets in code points of the text (the binding's character offsets).
//
//   node reference.mjs train-bpe CORPUS_TXT OUT_FOLDER MERGES
//     Learns byte-level BPE on the corpus with the library's trainer and writes a RoBERTa-style
//     model: tokenizer.json, vocab.json and merges.txt with <s> <pad> </s> <unk> first, all 256
//     byte characters, the first MERGES merges and the tokens they make, <mask> last.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Tokenizer, BPE, byteLevelPreTokenizer, byteLevelAlphabet } from 'tokenizers'

const [command, ...args] = process.argv.slice(2)

if (command === 'encode') {
  const [tokenizerPath, textsPath, outPath] = args
  const tokenizer = Tokenizer.fromFile(tokenizerPath)
  const texts = readFileSync(textsPath, 'utf8').split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line))
  const lines = []
  for (const text of texts) {
    const encoding = await tokenizer.encode(text, null, { addSpecialTokens: false })
    lines.push(JSON.stringify({ ids: encoding.getIds(), offsets: encoding.getOffsets() }))
  }
  writeFileSync(outPath, lines.join('\n') + '\n')
} else if (command === 'train-bpe') {
  const [corpusPath, outFolder, mergeCount] = args
  const trainer = new Tokenizer(BPE.empty())
  trainer.setPreTokenizer(byteLevelPreTokenizer(false))
  trainer.train([corpusPath])
  const scratch = mkdtempSync(join(tmpdir(), 'bpe-'))
  trainer.save(join(scratch, 'trained.json'))
  const trained = JSON.parse(readFileSync(join(scratch, 'trained.json'), 'utf8')).model
  rmSync(scratch, { recursive: true })

  const merges = trained.merges.slice(0, Number(mergeCount)).map((m) => (Array.isArray(m) ? m : m.split(' ')))
  const vocab = {}
  const add = (token) => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length
  }
  for (const special of ['<s>', '<pad>', '</s>', '<unk>']) add(special)
  for (const c of [...byteLevelAlphabet()].sort()) add(c)
  for (const [left, right] of merges) add(left + right)
  add('<mask>')
  const special = (content, id) => ({ id, content, single_word: false, lstrip: content === '<mask>', rstrip: false, normalized: false, special: true })
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<s>', '<pad>', '</s>', '<unk>', '<mask>'].map((t) => special(t, vocab[t])),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', vocab['</s>']], cls: ['<s>', vocab['<s>']], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: merges.map(([l, r]) => `${l} ${r}`) },
  }
  writeFileSync(join(outFolder, 'tokenizer.json'), JSON.stringify(tokenizerJson))
  writeFileSync(join(outFolder, 'vocab.json'), JSON.stringify(vocab))
  writeFileSync(join(outFolder, 'merges.txt'), '#version: 0.2\n' + merges.map(([l, r]) => `${l} ${r}`).join('\n') + '\n')
} else {
  console.error('usage: reference.mjs encode TOKENIZER_JSON TEXTS_JSONL OUT_JSONL | train-bpe CORPUS_TXT OUT_FOLDER MERGES')
  process.exit(2)
}
