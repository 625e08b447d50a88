// A minimal ONNX protobuf writer: just the messages the static embedding graph needs (ModelProto,
// GraphProto, NodeProto, TensorProto, ValueInfoProto), field numbers from onnx/onnx.proto.
// Hand-written so the build depends on no protobuf library and the bytes are fully deterministic.
'use strict';

class Writer {
  constructor() { this.parts = []; }
  tag(field, wire) { this.varint(BigInt((field << 3) | wire)); }
  varint(v) {
    let n = BigInt.asUintN(64, BigInt(v));
    const out = [];
    do { let b = Number(n & 0x7fn); n >>= 7n; if (n > 0n) b |= 0x80; out.push(b); } while (n > 0n);
    this.parts.push(Buffer.from(out));
  }
  int(field, v) { this.tag(field, 0); this.varint(v); }
  bytes(field, buf) { this.tag(field, 2); this.varint(buf.length); this.parts.push(Buffer.from(buf)); }
  string(field, s) { this.bytes(field, Buffer.from(s, 'utf8')); }
  message(field, w) { this.bytes(field, w.finish()); }
  float(field, f) { this.tag(field, 5); const b = Buffer.alloc(4); b.writeFloatLE(f); this.parts.push(b); }
  finish() { return Buffer.concat(this.parts); }
}

const DataType = { FLOAT: 1, INT64: 7, FLOAT16: 10 };
const AttrType = { FLOAT: 1, INT: 2, INTS: 7 };

/** TensorProto: dims=1, data_type=2, name=8, raw_data=9. */
function tensor(name, dataType, dims, raw) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, dataType);
  w.string(8, name);
  w.bytes(9, raw);
  return w;
}

/** AttributeProto: name=1, f=2, i=3, ints=8, type=20. */
function attribute(name, value) {
  const w = new Writer();
  w.string(1, name);
  if (Array.isArray(value)) { for (const v of value) w.int(8, v); w.int(20, AttrType.INTS); }
  else if (Number.isInteger(value)) { w.int(3, value); w.int(20, AttrType.INT); }
  else { w.float(2, value); w.int(20, AttrType.FLOAT); }
  return w;
}

/** NodeProto: input=1, output=2, name=3, op_type=4, attribute=5. */
function node(opType, inputs, outputs, name, attrs = {}) {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name);
  w.string(4, opType);
  for (const [k, v] of Object.entries(attrs)) w.message(5, attribute(k, v));
  return w;
}

/** ValueInfoProto with a tensor type; a string dim is symbolic (dim_param), a number fixed. */
function valueInfo(name, elemType, dims) {
  const shape = new Writer();
  for (const d of dims) {
    const dim = new Writer();
    if (typeof d === 'string') dim.string(2, d); else dim.int(1, d);
    shape.message(1, dim);
  }
  const tt = new Writer();
  tt.int(1, elemType);
  tt.message(2, shape);
  const type = new Writer();
  type.message(1, tt);
  const w = new Writer();
  w.string(1, name);
  w.message(2, type);
  return w;
}

/** GraphProto: node=1, name=2, initializer=5, doc_string=10, input=11, output=12. */
function graph({ name, nodes, initializers, inputs, outputs, doc }) {
  const w = new Writer();
  for (const n of nodes) w.message(1, n);
  w.string(2, name);
  for (const t of initializers) w.message(5, t);
  if (doc) w.string(10, doc);
  for (const i of inputs) w.message(11, i);
  for (const o of outputs) w.message(12, o);
  return w;
}

/** ModelProto: ir_version=1, producer_name=2, producer_version=3, doc_string=6, graph=7, opset_import=8. */
function model({ graph: g, opset, producer, version, doc }) {
  const w = new Writer();
  w.int(1, 7);
  w.string(2, producer);
  w.string(3, version);
  if (doc) w.string(6, doc);
  w.message(7, g);
  const op = new Writer();
  op.string(1, '');
  op.int(2, opset);
  w.message(8, op);
  return w.finish();
}

module.exports = { DataType, tensor, node, valueInfo, graph, model };
