// The process entry of the opdbus command (bin/opdbus starts Node on this file): the code cache goes
// in first, so that every module after it can use it, then the CLI runs.
import { install } from './compile-cache';

install();
(require('./main') as typeof import('./main')).main(process.argv);
