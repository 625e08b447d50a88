// The desired-state document: one per host, `{version: 1, plugins: {<name>: <section>}}`, optionally
// with `meta` (written by `opdbus query`: host, time, unavailable and failed plugins; ignored by apply).
export interface StateDocument {
  version: 1;
  plugins: Record<string, unknown>;
  meta?: DocumentMeta;
}

export interface DocumentMeta {
  host?: string;
  queried_at?: string;
  unavailable?: Record<string, string>;
  failed?: Record<string, { kind: string; code: string; message: string }>;
  converted_from?: string;
  [key: string]: unknown;
}

/** Where a document came from: shown in every error message about it. */
export interface DocumentSource {
  /** The file path as given, or "-" (stdin). */
  file: string;
  text: string;
}
