// D-Bus type signatures parsed into a tree ("a{sv}" -> array of dict entry (string, variant)), the
// shape values.ts walks to convert between D-Bus values and JSON.

export interface DbusType {
  /** A basic type code (y b n q i u x t d h s o g), "v", "a", "(" for a struct or "{" for a dict entry. */
  code: string;
  /** Element type of "a"; fields of "(" ; key and value of "{". */
  children: DbusType[];
  /** The signature text of this type. */
  text: string;
}

const BASIC = 'ybnqiuxtdhsog';

export function parseSignature(signature: string): DbusType[] {
  let pos = 0;
  const one = (): DbusType => {
    const start = pos;
    const c = signature[pos++];
    if (c === undefined) throw new Error(`signature "${signature}" ends too early`);
    if (BASIC.includes(c) || c === 'v') return { code: c, children: [], text: c };
    if (c === 'a') {
      const child = one();
      return { code: 'a', children: [child], text: signature.slice(start, pos) };
    }
    if (c === '(' || c === '{') {
      const close = c === '(' ? ')' : '}';
      const children: DbusType[] = [];
      while (signature[pos] !== close) children.push(one());
      pos++;
      if (c === '{' && (children.length !== 2 || !BASIC.includes(children[0].code))) throw new Error(`signature "${signature}": a dict entry needs a basic key and one value`);
      return { code: c, children, text: signature.slice(start, pos) };
    }
    throw new Error(`signature "${signature}": unexpected "${c}" at ${start}`);
  };
  const types: DbusType[] = [];
  while (pos < signature.length) types.push(one());
  return types;
}

/** Parses a signature that must hold exactly one complete type (a property's type). */
export function parseSingleType(signature: string): DbusType {
  const types = parseSignature(signature);
  if (types.length !== 1) throw new Error(`signature "${signature}" is not a single complete type`);
  return types[0];
}

/** A dictionary is an array whose element is a dict entry: a{KV}. */
export function isDict(t: DbusType): boolean {
  return t.code === 'a' && t.children[0].code === '{';
}
