// Piscina worker entry point: runs one plugin's query (see src/query/task.ts) off the main thread.
import { runQueryTask } from '../src/query/task';

export = runQueryTask;
