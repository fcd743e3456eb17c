"""BERT WordPiece tokenization with character offsets, as Hugging Face's BertTokenizer does it.

Settings follow the model folders this project ships: no lower-casing, no accent stripping, CJK
ideographs split apart. Korean text is left as it is (Hangul is not split by character), so a word
is the run of non-space, non-punctuation characters and WordPiece splits it greedily, longest piece
first, continuation pieces prefixed with '##'.
"""
import unicodedata

MAX_CHARS_PER_WORD = 100


def _is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    def __init__(self, vocab_path):
        with open(vocab_path, encoding="utf-8") as f:
            tokens = [line.rstrip("\n") for line in f]
        self.vocab = {t: i for i, t in enumerate(tokens) if t}
        self.size = len(tokens)
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self.pad = self.vocab["[PAD]"]
        self.mask = self.vocab["[MASK]"]
        self._cache = {}

    def words(self, text):
        """Pre-tokenized words, each a list of the character positions it is made of.

        Control characters are dropped without splitting the word around them (as BERT's text
        cleaning does); whitespace splits; each punctuation mark and CJK ideograph is a word.
        """
        words = []
        current = []
        for i, ch in enumerate(text):
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_whitespace(ch):
                if current:
                    words.append(current)
                    current = []
            elif _is_punctuation(ch) or _is_cjk(cp):
                if current:
                    words.append(current)
                    current = []
                words.append([i])
            else:
                current.append(i)
        if current:
            words.append(current)
        return words

    def _pieces(self, word):
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > MAX_CHARS_PER_WORD:
            result = [(self.unk, 0, len(word))]
        else:
            result = []
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    result = [(self.unk, 0, len(word))]
                    break
                result.append((found, start, end))
                start = end
        self._cache[word] = result
        return result

    def encode(self, text):
        """Token ids and (start, end) character offsets, no special tokens."""
        ids, offsets = [], []
        for positions in self.words(text):
            word = "".join(text[p] for p in positions)
            for token, s, e in self._pieces(word):
                ids.append(token)
                offsets.append((positions[s], positions[e - 1] + 1))
        return ids, offsets
