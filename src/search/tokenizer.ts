// Run-time tokenizer of the shipped static embedding model: words of the model's domain vocabulary map
// to one id each, every other word is split into sentencepiece pieces (unigram Viterbi over log-probs).
import * as fs from 'node:fs';

interface TokenizerFile {
  type: string;
  reserved: number;
  pieces: [string, number][];
  words: string[];
  lowercase: boolean;
}

const WORD = /\p{L}+|\p{N}+/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/** 1 for a-z, 2 for 0-9, 0 otherwise: in lower-cased ASCII, WORD's letters and digits. */
function charKind(c: number): number {
  if (c >= 97 && c <= 122) return 1;
  return c >= 48 && c <= 57 ? 2 : 0;
}
const SEPARATOR = '\u2581';
/** Score of a character no piece covers (it becomes the unknown id 0, whose vector is zero). */
const UNKNOWN_SCORE = -100;
const MAX_CACHE = 50_000;

export class Tokenizer {
  private readonly pieceIds = new Map<string, { id: number; score: number }>();
  /** Domain word -> its one id, as an array shared by every occurrence. */
  private readonly wordIds = new Map<string, number[]>();
  private readonly maxPieceLength: number;
  private readonly cache = new Map<string, number[]>();
  /** Ids 0 .. vocabSize - 1: the pieces, then the domain words. */
  readonly vocabSize: number;

  constructor(file: TokenizerFile) {
    this.vocabSize = file.pieces.length + file.words.length;
    let longest = 1;
    file.pieces.forEach(([piece, score], id) => {
      if (id < file.reserved) return;
      this.pieceIds.set(piece, { id, score });
      longest = Math.max(longest, [...piece].length);
    });
    this.maxPieceLength = longest;
    // Domain words follow the pieces in the embedding matrix (see models/build/build.js).
    file.words.forEach((w, i) => this.wordIds.set(w, [file.pieces.length + i]));
  }

  static load(path: string): Tokenizer {
    return new Tokenizer(JSON.parse(fs.readFileSync(path, 'utf8')) as TokenizerFile);
  }

  /** Token ids of a text; punctuation carries no meaning here and is dropped. */
  encode(text: string): number[] {
    const ids: number[] = [];
    this.forEachId(text, (id) => ids.push(id));
    return ids;
  }

  /** Calls `visit` with each token id of a text, in order, without building arrays (the embedding hot path). */
  forEachId(text: string, visit: (id: number) => void): void {
    if (NON_ASCII.test(text)) {
      for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) this.visitWord(match[0], visit);
      return;
    }
    // ASCII (NFKC leaves it unchanged): the runs of [a-z] or [0-9] that WORD would match, scanned by
    // hand, so the only allocation per word is its string (no match array).
    const lower = text.toLowerCase();
    const n = lower.length;
    let i = 0;
    while (i < n) {
      const kind = charKind(lower.charCodeAt(i));
      if (kind === 0) {
        i++;
        continue;
      }
      const start = i;
      while (i < n && charKind(lower.charCodeAt(i)) === kind) i++;
      this.visitWord(lower.slice(start, i), visit);
    }
  }

  private visitWord(word: string, visit: (id: number) => void): void {
    const ids = this.encodeWord(word);
    for (let i = 0; i < ids.length; i++) visit(ids[i]);
  }

  private encodeWord(word: string): number[] {
    const known = this.wordIds.get(word);
    if (known) return known;
    const cached = this.cache.get(word);
    if (cached) return cached;
    const ids = this.viterbi([...(SEPARATOR + word)]);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  /** Most probable segmentation into pieces (sum of log-probs). */
  private viterbi(chars: string[]): number[] {
    const n = chars.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1);
    const pieceAt = new Int32Array(n + 1);
    best[0] = 0;
    for (let end = 1; end <= n; end++) {
      for (let start = Math.max(0, end - this.maxPieceLength); start < end; start++) {
        if (best[start] === -Infinity) continue;
        const piece = this.pieceIds.get(chars.slice(start, end).join(''));
        const single = end - start === 1;
        if (!piece && !single) continue;
        const score = best[start] + (piece ? piece.score : UNKNOWN_SCORE);
        if (score > best[end]) {
          best[end] = score;
          from[end] = start;
          pieceAt[end] = piece ? piece.id : 0;
        }
      }
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end = from[end]) ids.push(pieceAt[end]);
    return ids.reverse().filter((id) => id !== 0);
  }
}
