// Embedding batches packed for the trip to a worker thread (see EmbedTask): the segments' texts, their
// weights, and where each input's segments end.
import type { EmbedInput, EmbedTask, Segment } from './types';

export function packInputs(inputs: readonly EmbedInput[]): EmbedTask {
  let segments = 0;
  for (const input of inputs) segments += typeof input === 'string' ? 1 : input.length;
  const texts: string[] = new Array(segments);
  const weights = new Float32Array(segments);
  const inputEnds = new Uint32Array(inputs.length);
  let s = 0;
  inputs.forEach((input, j) => {
    if (typeof input === 'string') {
      texts[s] = input;
      weights[s++] = 1;
    } else {
      for (const seg of input) {
        texts[s] = seg.text;
        weights[s++] = seg.weight;
      }
    }
    inputEnds[j] = s;
  });
  return { texts, weights, inputEnds };
}

/** The inputs again, each as its segments. */
export function unpackInputs(task: EmbedTask): Segment[][] {
  const out: Segment[][] = new Array(task.inputEnds.length);
  let s = 0;
  for (let j = 0; j < task.inputEnds.length; j++) {
    const segs: Segment[] = [];
    for (; s < task.inputEnds[j]; s++) segs.push({ text: task.texts[s], weight: task.weights[s] });
    out[j] = segs;
  }
  return out;
}
