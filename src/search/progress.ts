// A one-line progress bar on stderr for long indexing; silent when stderr is not a terminal.

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  const started = Date.now();
  return (done, total) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s`);
    if (done >= total) stream.write('\n');
  };
}
