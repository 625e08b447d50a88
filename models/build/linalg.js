// Build-time linear algebra for the distillation: PCA by cyclic Jacobi on the covariance matrix and
// IEEE half-precision rounding. Plain loops in a fixed order, so the same input gives the same bytes.
'use strict';

/** Mean of the rows of an n x d row-major matrix. */
function columnMeans(rows, n, d) {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += rows[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  return mean;
}

/** Covariance (d x d) of the centred rows. */
function covariance(rows, n, d, mean) {
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) x[c] = rows[r * d + c] - mean[c];
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      for (let j = i; j < d; j++) cov[i * d + j] += xi * x[j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) { cov[i * d + j] /= n; cov[j * d + i] = cov[i * d + j]; }
  return cov;
}

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi). Returns eigenvalues and column eigenvectors, sorted descending. */
function symmetricEigen(input, d) {
  const a = Float64Array.from(input);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i] || i - j);
  const values = order.map((i) => a[i * d + i]);
  // Fix each eigenvector's sign (largest component positive) so the projection is reproducible.
  const vectors = order.map((i) => {
    const col = new Float64Array(d);
    for (let k = 0; k < d; k++) col[k] = v[k * d + i];
    let big = 0;
    for (let k = 1; k < d; k++) if (Math.abs(col[k]) > Math.abs(col[big])) big = k;
    if (col[big] < 0) for (let k = 0; k < d; k++) col[k] = -col[k];
    return col;
  });
  return { values, vectors };
}

/** float32 -> IEEE 754 half (round to nearest even), as a uint16. */
function toHalf(value) {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1), mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

module.exports = { columnMeans, covariance, symmetricEigen, toHalf };
