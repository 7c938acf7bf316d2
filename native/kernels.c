// The native kernels: the WebAssembly kernels of assembly/ compiled as C for the machine's widest
// vectors (one build per instruction set via target_clones, chosen when the addon loads), with
// the same signatures, the same block layout and the same summation order, so their results are
// the same bits, except what goes through exp or log1p (logistic gradients, losses and
// probabilities): the C library's may differ from AssemblyScript's in the last place. Two things they do that WebAssembly can't:
// read any Float64Array or Int32Array in place (a JavaScript array needs no copy into kernel
// memory), and use 512-bit registers where the order of operations allows.
//
// Every address argument is either a number (a byte address in the kernels' shared memory, 0 for
// "none") or a typed array (its own values). Built with -ffp-contract=off: a fused multiply-add
// rounds once where WebAssembly rounds twice, which would change the bits.

#include <math.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// One build per x86-64 level, chosen when the addon loads (elsewhere: one portable build).
#if defined(__x86_64__) && defined(__ELF__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

// Helpers are always inlined, so each clone compiles them for its own instruction set (a helper
// left out of line is built for the baseline only, and 512-bit values then cross it in memory).
#define INLINE static inline __attribute__((always_inline))

typedef double v2d __attribute__((vector_size(16)));
typedef double v8d __attribute__((vector_size(64)));


INLINE v2d load2(const double *p) {
  v2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
INLINE void store2(double *p, v2d v) { memcpy(p, &v, sizeof v); }
INLINE v8d load8(const double *p) {
  v8d v;
  memcpy(&v, p, sizeof v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Row helpers (assembly/rows.ts), same order of operations.

// Σ a[j]·b[j]: four lane-pairs over chunks of 8 (one 512-bit register: lane l of the chunk is
// lane l mod 2 of pair l / 2), then pairs into pair 0, then (p0 + p1) + (p2 + p3), the two lanes,
// and the odd tail.
INLINE double dot(const double *a, const double *b, int d) {
  v8d chunk = {0};
  int j = 0;
  for (; j + 8 <= d; j += 8) chunk += load8(a + j) * load8(b + j);
  v2d pair0 = {chunk[0], chunk[1]};
  for (; j + 2 <= d; j += 2) pair0 += load2(a + j) * load2(b + j);
  v2d pair1 = {chunk[2], chunk[3]};
  v2d pair2 = {chunk[4], chunk[5]};
  v2d pair3 = {chunk[6], chunk[7]};
  v2d pair = (pair0 + pair1) + (pair2 + pair3);
  double sum = pair[0] + pair[1];
  if (j < d) sum += a[j] * b[j];
  return sum;
}

// Σ (a[j] − b[j])²: even and odd j in two lanes, then the lanes, then the odd tail.
INLINE double squared_distance(const double *a, const double *b, int d) {
  v2d pair = {0, 0};
  int j = 0;
  for (; j + 2 <= d; j += 2) {
    v2d diff = load2(a + j) - load2(b + j);
    pair += diff * diff;
  }
  double sum = pair[0] + pair[1];
  if (j < d) {
    double diff = a[j] - b[j];
    sum += diff * diff;
  }
  return sum;
}

// target[j] += scale·row[j] (element-wise: any vector width gives the same bits).
INLINE void add_scaled(double *target, const double *row, double scale, int d) {
  for (int j = 0; j < d; j++) target[j] += scale * row[j];
}

INLINE void add_row(double *target, const double *row, int d) {
  for (int j = 0; j < d; j++) target[j] += row[j];
}

INLINE double *row_at(double *base, int row, int d) { return base + (size_t)row * d; }

// ---------------------------------------------------------------------------------------------
// Finiteness (assembly/finite.ts): the indices of rows holding NaN or an infinity.

CLONES static int non_finite_rows(const double *data, int n, int d, int32_t *out) {
  int found = 0;
  for (int row = 0; row < n; row++) {
    const double *x = data + (size_t)row * d;
    // x − x is 0 for every finite x and NaN otherwise; NaN survives the sums, eight lanes at a
    // time (a single chain of adds would wait on each one in turn).
    v8d lanes = {0};
    int j = 0;
    for (; j + 8 <= d; j += 8) lanes += load8(x + j) - load8(x + j);
    double check = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                   ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; j < d; j++) check += x[j] - x[j];
    if (check != 0) out[found++] = row; // NaN != 0 holds too
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// k-means (assembly/kmeans.ts). The nearest centre is exact (the direct form's answer, ties to the
// lowest index): ê_c = ‖c‖² − 2x·c ranks the centres in any summation order (the error bound
// holds for any), and a gap to the runner-up not above τ sends the point to the direct form.

static const double UNIT_ROUNDOFF = 1.1102230246251565e-16;

CLONES static double kmeans_prepare(const double *centres, int k, int d, double *prepared,
                                    double *norms) {
  int kp = (k + 1) & ~1;
  double largest = 0;
  for (int c = 0; c < kp; c++) {
    double norm = INFINITY;
    if (c < k) {
      norm = 0;
      for (int j = 0; j < d; j++) {
        double value = centres[(size_t)c * d + j];
        norm += value * value;
        prepared[(size_t)j * kp + c] = -2.0 * value;
      }
      // WebAssembly's f64.max: NaN once any norm is NaN (every row then takes the exact path).
      largest = largest != largest || norm != norm ? NAN : largest > norm ? largest : norm;
    } else {
      for (int j = 0; j < d; j++) prepared[(size_t)j * kp + c] = 0.0;
    }
    norms[c] = norm;
  }
  return largest;
}

// The reference: direct distances in order, strict < so ties keep the lowest index.
static int exact_nearest(const double *x, const double *centres, int k, int d) {
  int best = 0;
  double best_distance = INFINITY;
  for (int c = 0; c < k; c++) {
    const double *centre = centres + (size_t)c * d;
    double distance = 0;
    for (int j = 0; j < d; j++) {
      double diff = x[j] - centre[j];
      distance += diff * diff;
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = c;
    }
  }
  return best;
}

// ê of two points for every centre into e0 and e1 (kp each): eight centres per register (then
// pairs), the two points sharing each load of the prepared centres. Any summation order keeps
// the error bound. Used for the rows left over by nearest_octet and for d > 256.
INLINE void expand_pair(const double *x0, const double *x1, int d, const double *prepared,
                        const double *norms, int kp, double *e0, double *e1) {
  int c = 0;
  for (; c + 8 <= kp; c += 8) {
    v8d a = load8(norms + c);
    v8d b = a;
    const double *column = prepared + c;
    for (int j = 0; j < d; j++, column += kp) {
      v8d centre = load8(column);
      a += x0[j] * centre;
      b += x1[j] * centre;
    }
    memcpy(e0 + c, &a, sizeof a);
    memcpy(e1 + c, &b, sizeof b);
  }
  for (; c < kp; c += 2) {
    v2d a = load2(norms + c);
    v2d b = a;
    const double *column = prepared + c;
    for (int j = 0; j < d; j++, column += kp) {
      v2d centre = load2(column);
      a += x0[j] * centre;
      b += x1[j] * centre;
    }
    store2(e0 + c, a);
    store2(e1 + c, b);
  }
}

// The smallest ê of two points, its centre and the runner-up (the second smallest), for both
// points at once: lane 0 holds the first point's search, lane 1 the second's. Vector compares
// and selects never branch (scalar ternaries here compiled to branches, which random data
// mispredicts: 36 ns per row against 16).
typedef struct {
  double low;
  double next;
  int index;
} Ranking;

typedef int64_t v2l __attribute__((vector_size(16)));

INLINE v2d select2(v2l mask, v2d when_true, v2d when_false) {
  return (v2d)((mask & (v2l)when_true) | (~mask & (v2l)when_false));
}

INLINE void rank_pair(const double *e0, const double *e1, int kp, Ranking *r0, Ranking *r1) {
  v2d low = {INFINITY, INFINITY};
  v2d next = low;
  v2l index = {0, 0};
  for (int c = 0; c < kp; c++) {
    v2d value = {e0[c], e1[c]};
    v2l lower = value < low;
    next = select2(lower, low, select2(value < next, value, next));
    index = (lower & (v2l){c, c}) | (~lower & index);
    low = select2(lower, value, low);
  }
  *r0 = (Ranking){low[0], next[0], (int)index[0]};
  *r1 = (Ranking){low[1], next[1], (int)index[1]};
}

// The nearest centre from the point's ranking: the smallest ê stands when it beats the runner-up
// by more than τ and ê can't have overflowed (or be NaN); otherwise the direct form decides.
// Equal smallest values leave a gap of 0, so ties always go to the direct form.
INLINE int nearest_of(const double *x, Ranking r, const double *centres, int k, int d,
                      double largest_norm) {
  double scale = dot(x, x, d) + largest_norm;
  double tau = (24.0 * d + 64.0) * UNIT_ROUNDOFF * (scale > 1e-289 ? scale : 1e-289);
  bool decided = r.next - r.low > tau && scale < 1e300;
  return decided ? r.index : exact_nearest(x, centres, k, d);
}

// Eight rows at once, one row per lane: their values are transposed (lane r of xt[j] is row r's
// x_j), so each centre's ê for all eight rows is one vector sum over j, every product sharing
// the centre's coordinate; the running smallest, runner-up and index are lane vectors too.
// Against two rows per pass over centre-major lanes it does a third of the loads and no
// horizontal work per row. Dimensions up to OCTET_MAX_DIMENSION (xt lives on the stack).
#define OCTET_MAX_DIMENSION 256

typedef int64_t v8l __attribute__((vector_size(64)));

INLINE v8d select8(v8l mask, v8d when_true, v8d when_false) {
  return (v8d)((mask & (v8l)when_true) | (~mask & (v8l)when_false));
}

// Folds the ê of centre `centre` (one per lane) into the lanes' ranking.
INLINE void rank_octet(v8d value, int centre, v8d *low, v8d *next, v8l *index) {
  v8l lower = value < *low;
  *next = select8(lower, *low, select8(value < *next, value, *next));
  *index = (lower & (v8l){centre, centre, centre, centre, centre, centre, centre, centre}) |
           (~lower & *index);
  *low = select8(lower, value, *low);
}

INLINE void nearest_octet(const double *x, int d, const double *prepared, const double *norms,
                          int kp, const double *centres, int k, double largest_norm,
                          int best[8]) {
  double xt[OCTET_MAX_DIMENSION * 8] __attribute__((aligned(64)));
  for (int j = 0; j < d; j++) {
    for (int r = 0; r < 8; r++) xt[j * 8 + r] = x[(size_t)r * d + j];
  }
  const v8d infinity = {INFINITY, INFINITY, INFINITY, INFINITY,
                        INFINITY, INFINITY, INFINITY, INFINITY};
  v8d low = infinity;
  v8d next = infinity;
  v8l index = {0};
  int c = 0;
  for (; c + 8 <= k; c += 8) {
    v8d e[8];
    for (int q = 0; q < 8; q++) e[q] = (v8d){0} + norms[c + q];
    for (int j = 0; j < d; j++) {
      v8d values = load8(xt + 8 * j);
      const double *coordinates = prepared + (size_t)j * kp + c;
      for (int q = 0; q < 8; q++) e[q] += values * coordinates[q];
    }
    for (int q = 0; q < 8; q++) rank_octet(e[q], c + q, &low, &next, &index);
  }
  // Fewer than eight centres left: one at a time (padding them to eight measured slower at
  // k = 10, the padding being most of the work).
  for (; c < k; c++) {
    v8d e = (v8d){0} + norms[c];
    for (int j = 0; j < d; j++) e += load8(xt + 8 * j) * prepared[(size_t)j * kp + c];
    rank_octet(e, c, &low, &next, &index);
  }
  v8d squares = {0};
  for (int j = 0; j < d; j++) squares += load8(xt + 8 * j) * load8(xt + 8 * j);
  for (int r = 0; r < 8; r++) {
    double scale = squares[r] + largest_norm;
    double tau = (24.0 * d + 64.0) * UNIT_ROUNDOFF * (scale > 1e-289 ? scale : 1e-289);
    bool decided = next[r] - low[r] > tau && scale < 1e300;
    best[r] = decided ? (int)index[r] : exact_nearest(x + (size_t)r * d, centres, k, d);
  }
}

// One row's assignment, distance and share of its block's statistics (as record() in kmeans.ts).
INLINE void record_row(int row, const double *x, int best, int d, const double *centres,
                              int k, int32_t *assignments, double *distances, double *partial,
                              bool want_cost) {
  if (assignments != NULL) assignments[row] = best;
  bool needs_distance = distances != NULL || (partial != NULL && want_cost);
  double distance = needs_distance ? squared_distance(x, centres + (size_t)best * d, d) : 0.0;
  if (distances != NULL) distances[row] = distance;
  if (partial == NULL) return;
  add_row(partial + (size_t)best * d, x, d);
  double *counts = partial + (size_t)k * d;
  counts[best] += 1.0;
  if (want_cost) counts[k] += distance;
}

CLONES static void kmeans_assign(const double *data, int n, int d, const double *centres,
                                 const double *prepared, const double *norms, int k,
                                 double largest_norm, int32_t *assignments, double *distances,
                                 double *partials, int partial_stride, bool want_cost,
                                 int block_rows, double *scratch, int first_block, int end_block) {
  int kp = (k + 1) & ~1;
  double *e0 = scratch;
  double *e1 = scratch + kp;
  size_t width = (size_t)k * d + k + 1;
  for (int block = first_block; block < end_block; block++) {
    int start = block * block_rows;
    int end = n < start + block_rows ? n : start + block_rows;
    double *partial = partials == NULL ? NULL : partials + (size_t)block * partial_stride;
    if (partial != NULL) memset(partial, 0, width * sizeof(double));
    int row = start;
    if (d <= OCTET_MAX_DIMENSION) {
      for (; row + 8 <= end; row += 8) {
        int best[8];
        const double *x = data + (size_t)row * d;
        nearest_octet(x, d, prepared, norms, kp, centres, k, largest_norm, best);
        for (int r = 0; r < 8; r++) {
          record_row(row + r, x + (size_t)r * d, best[r], d, centres, k, assignments, distances,
                     partial, want_cost);
        }
      }
    }
    for (; row < end; row += 2) {
      const double *x0 = data + (size_t)row * d;
      bool has_pair = row + 1 < end;
      const double *x1 = has_pair ? x0 + d : x0;
      expand_pair(x0, x1, d, prepared, norms, kp, e0, e1);
      Ranking ranking0;
      Ranking ranking1;
      rank_pair(e0, e1, kp, &ranking0, &ranking1);
      int best0 = nearest_of(x0, ranking0, centres, k, d, largest_norm);
      record_row(row, x0, best0, d, centres, k, assignments, distances, partial, want_cost);
      if (has_pair) {
        int best1 = nearest_of(x1, ranking1, centres, k, d, largest_norm);
        record_row(row + 1, x1, best1, d, centres, k, assignments, distances, partial, want_cost);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Linear models (assembly/linear.ts).

enum { LEAST_SQUARES = 0, LOGISTIC = 1 };

INLINE double log1p_exp(double t) { return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t)); }

// The gradient multiplier g (gradient = g·x), and the record's loss in *loss when with_loss.
INLINE double multiplier(int kind, bool with_loss, double prediction, double label,
                                double *loss) {
  if (kind == LEAST_SQUARES) {
    double residual = prediction - label;
    *loss = with_loss ? 0.5 * residual * residual : 0;
    return residual;
  }
  double margin = -prediction;
  *loss = with_loss ? (label > 0 ? log1p_exp(margin) : log1p_exp(margin) - margin) : 0;
  return 1.0 / (1.0 + exp(margin)) - label;
}

#define GROUP_ROWS 8

CLONES static void gradient_sums(int kind, bool with_loss, const double *data,
                                 const double *labels, int d, const double *weights,
                                 const int32_t *rows, int count, double *partials,
                                 int partial_stride, int block_rows, int first_block,
                                 int end_block) {
  for (int block = first_block; block < end_block; block++) {
    int start = block * block_rows;
    int end = count < start + block_rows ? count : start + block_rows;
    double *partial = partials + (size_t)block * partial_stride;
    memset(partial, 0, (size_t)(d + 2) * sizeof(double));
    double loss_sum = 0;
    double loss = 0;
    int position = start;
    // Eight records (four pairs) per step: eight independent margin sums, so the adds of one
    // don't wait on another's (at d = 100 a pair's two chains of 50 adds were the bottleneck),
    // and the partial sums are loaded and stored once for the four pairs. Every margin, loss and
    // pair update is computed exactly as in the pair step below, in the same order. Measured
    // (ns/row, pairs → groups): least squares 21.2 → 17.8 at d = 100 but 3.3 → 3.8 at d = 10
    // (short sums: the pointers cost more than the overlap gains), logistic 8.4 → 7.7 at d = 10
    // (the exponentials overlap) and 30.6 → 22.5 at d = 100.
    bool use_groups = d >= 16 || kind == LOGISTIC;
    for (; use_groups && position + GROUP_ROWS <= end; position += GROUP_ROWS) {
      int row[GROUP_ROWS];
      const double *x[GROUP_ROWS];
      for (int r = 0; r < GROUP_ROWS; r++) {
        row[r] = rows == NULL ? position + r : rows[position + r];
        x[r] = data + (size_t)row[r] * d;
      }
      v2d sums[GROUP_ROWS];
      for (int r = 0; r < GROUP_ROWS; r++) sums[r] = (v2d){0, 0};
      int j = 0;
      for (; j + 2 <= d; j += 2) {
        v2d w = load2(weights + j);
        for (int r = 0; r < GROUP_ROWS; r++) sums[r] += w * load2(x[r] + j);
      }
      double g[GROUP_ROWS];
      for (int r = 0; r < GROUP_ROWS; r++) {
        double margin = sums[r][0] + sums[r][1];
        if (j < d) margin += weights[j] * x[r][j];
        g[r] = multiplier(kind, with_loss, margin, labels[row[r]], &loss);
        loss_sum += loss;
      }
      for (int i = 0; i < d; i++) {
        double sum = partial[i];
        for (int r = 0; r < GROUP_ROWS; r += 2) sum += g[r] * x[r][i] + g[r + 1] * x[r + 1][i];
        partial[i] = sum;
      }
    }
    for (; position + 2 <= end; position += 2) {
      int row0 = rows == NULL ? position : rows[position];
      int row1 = rows == NULL ? position + 1 : rows[position + 1];
      const double *x0 = data + (size_t)row0 * d;
      const double *x1 = data + (size_t)row1 * d;
      v2d sums0 = {0, 0};
      v2d sums1 = {0, 0};
      int j = 0;
      for (; j + 2 <= d; j += 2) {
        v2d w = load2(weights + j);
        sums0 += w * load2(x0 + j);
        sums1 += w * load2(x1 + j);
      }
      double margin0 = sums0[0] + sums0[1];
      double margin1 = sums1[0] + sums1[1];
      if (j < d) {
        margin0 += weights[j] * x0[j];
        margin1 += weights[j] * x1[j];
      }
      double g0 = multiplier(kind, with_loss, margin0, labels[row0], &loss);
      loss_sum += loss;
      double g1 = multiplier(kind, with_loss, margin1, labels[row1], &loss);
      loss_sum += loss;
      for (int i = 0; i < d; i++) partial[i] += g0 * x0[i] + g1 * x1[i];
    }
    if (position < end) {
      int row = rows == NULL ? position : rows[position];
      const double *x = data + (size_t)row * d;
      double g = multiplier(kind, with_loss, dot(weights, x, d), labels[row], &loss);
      loss_sum += loss;
      add_scaled(partial, x, g, d);
    }
    partial[d] = loss_sum;
    partial[d + 1] = (double)(end - start);
  }
}

CLONES static void linear_predict(const double *data, int n, int d, const double *weights,
                                  double intercept, bool probability, double *out, int block_rows,
                                  int first_block, int end_block) {
  int start = first_block * block_rows;
  int end = n < end_block * block_rows ? n : end_block * block_rows;
  for (int row = start; row < end; row++) {
    double margin = dot(weights, data + (size_t)row * d, d) + intercept;
    out[row] = probability ? 1.0 / (1.0 + exp(-margin)) : margin;
  }
}

// matrix[i][j] += x0[i]·x0[j] + (w1·x1[i])·x1[j] for j from i rounded down to even, as
// addOuterProducts in linear.ts (whole lanes there, so the same entries get the same sums).
INLINE void add_outer_products(double *matrix, const double *x0, const double *x1,
                                      double w1, int d) {
  for (int i = 0; i < d; i++) {
    double u = x0[i];
    double v = w1 * x1[i];
    double *target = matrix + (size_t)i * d;
    for (int j = i & ~1; j < d; j++) target[j] += u * x0[j] + v * x1[j];
  }
}

// For 5 <= d <= 16, one block's Σ x·xᵀ (and Σ y·x, Σ y²) in a local matrix of padded rows: every entry takes the same
// sums as add_outer_products (entry + (u·x0[j] + v·x1[j]) per pair, pairs in order), but each
// matrix row is one or two whole 512-bit registers, without add_outer_products' loops of
// varying length, and the matrix stays in cache-resident locals. Entries add_outer_products
// never touches (below i rounded down to even) are left at 0 in the partial, as there. Measured
// (ns/row, add_outer_products → this): d = 5: 7.6 → 6.6, d = 8: 13.0 → 5.5, d = 10: 17.8 → 11.1,
// d = 16: 32.3 → 10.8; below 5 the padding costs more than it saves (d = 4: 5.7 → 6.3).
#define SMALL_GRAM_MIN_DIMENSION 5
#define SMALL_GRAM_DIMENSION 16

INLINE void small_gram_block(const double *data, const double *labels, int start, int end, int d,
                             double *partial) {
  v8d m[SMALL_GRAM_DIMENSION][2];
  memset(m, 0, sizeof m);
  v8d label_sums[2] = {{0}, {0}};
  double squares = 0;
  int chunks = d > 8 ? 2 : 1;
  for (int row = start; row < end; row += 2) {
    bool has_pair = row + 1 < end;
    const double *x0 = data + (size_t)row * d;
    const double *x1 = has_pair ? x0 + d : x0; // the odd row alone: its partner weighs 0
    double w1 = has_pair ? 1.0 : 0.0;
    double padded0[SMALL_GRAM_DIMENSION] __attribute__((aligned(64))) = {0};
    double padded1[SMALL_GRAM_DIMENSION] __attribute__((aligned(64))) = {0};
    memcpy(padded0, x0, (size_t)d * sizeof(double));
    memcpy(padded1, x1, (size_t)d * sizeof(double));
    v8d row0[2] = {load8(padded0), load8(padded0 + 8)};
    v8d row1[2] = {load8(padded1), load8(padded1 + 8)};
    for (int i = 0; i < d; i++) {
      double u = x0[i];
      double v = w1 * x1[i];
      for (int c = 0; c < chunks; c++) m[i][c] += u * row0[c] + v * row1[c];
    }
    // Σ y·x and Σ y² as gram_sums adds them: y0·x0, then y1·x1 (the odd row alone: y0 only).
    double y0 = labels[row];
    for (int c = 0; c < chunks; c++) label_sums[c] += y0 * row0[c];
    if (has_pair) {
      double y1 = labels[row + 1];
      for (int c = 0; c < chunks; c++) label_sums[c] += y1 * row1[c];
      squares += y0 * y0 + y1 * y1;
    } else {
      squares += y0 * y0;
    }
  }
  for (int i = 0; i < d; i++) {
    for (int j = i & ~1; j < d; j++) partial[(size_t)i * d + j] = m[i][j >> 3][j & 7];
  }
  double *sums = partial + (size_t)d * d;
  for (int j = 0; j < d; j++) sums[j] = label_sums[j >> 3][j & 7];
  sums[d] = squares;
  sums[d + 1] = (double)(end - start);
}

CLONES static void gram_sums(const double *data, const double *labels, int d, int n,
                             double *partials, int partial_stride, int block_rows,
                             int first_block, int end_block) {
  size_t matrix = (size_t)d * d;
  for (int block = first_block; block < end_block; block++) {
    int start = block * block_rows;
    int end = n < start + block_rows ? n : start + block_rows;
    double *partial = partials + (size_t)block * partial_stride;
    double *label_sums = partial + matrix;
    memset(partial, 0, (matrix + d + 2) * sizeof(double));
    if (d >= SMALL_GRAM_MIN_DIMENSION && d <= SMALL_GRAM_DIMENSION) {
      small_gram_block(data, labels, start, end, d, partial);
      continue;
    }
    double squares = 0;
    int row = start;
    for (; row + 2 <= end; row += 2) {
      const double *x0 = data + (size_t)row * d;
      const double *x1 = x0 + d;
      add_outer_products(partial, x0, x1, 1.0, d);
      double y0 = labels[row];
      double y1 = labels[row + 1];
      add_scaled(label_sums, x0, y0, d);
      add_scaled(label_sums, x1, y1, d);
      squares += y0 * y0 + y1 * y1;
    }
    if (row < end) {
      const double *x0 = data + (size_t)row * d;
      add_outer_products(partial, x0, x0, 0.0, d);
      double y0 = labels[row];
      add_scaled(label_sums, x0, y0, d);
      squares += y0 * y0;
    }
    label_sums[d] = squares;
    label_sums[d + 1] = (double)(end - start);
  }
}

// ---------------------------------------------------------------------------------------------
// Node-API bindings. Arguments are read positionally; a wrong type is a TypeError, never a crash.

#define MAX_ARGS 20

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  bool failed;
} Args;

static bool read_args(napi_env env, napi_callback_info info, Args *args, size_t expected) {
  args->env = env;
  args->argc = MAX_ARGS;
  args->failed = false;
  if (napi_get_cb_info(env, info, &args->argc, args->argv, NULL, NULL) != napi_ok) return false;
  if (args->argc < expected) {
    napi_throw_type_error(env, "ERR_KERNEL_ARGUMENTS", "native kernel: too few arguments");
    return false;
  }
  return true;
}

static double number_at(Args *args, size_t i) {
  double value = 0;
  if (!args->failed && napi_get_value_double(args->env, args->argv[i], &value) != napi_ok) {
    napi_throw_type_error(args->env, "ERR_KERNEL_ARGUMENTS", "native kernel: expected a number");
    args->failed = true;
  }
  return value;
}

// A typed array's values, or base + address for a number (NULL for 0: "none").
static void *pointer_at(Args *args, size_t i) {
  if (args->failed) return NULL;
  bool is_typed_array = false;
  napi_is_typedarray(args->env, args->argv[i], &is_typed_array);
  if (is_typed_array) {
    void *data = NULL;
    napi_get_typedarray_info(args->env, args->argv[i], NULL, NULL, &data, NULL, NULL);
    return data;
  }
  double address = number_at(args, i);
  if (args->failed || address == 0) return NULL;
  // Each JavaScript environment (the main thread, each worker) has its own kernel memory.
  uint8_t *base = NULL;
  napi_get_instance_data(args->env, (void **)&base);
  if (base == NULL) {
    napi_throw_error(args->env, "ERR_KERNEL_UNAVAILABLE",
                     "native kernel: an address was given before attach()");
    args->failed = true;
    return NULL;
  }
  return base + (size_t)address;
}

static napi_value number_result(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

// attach(view): a typed array over this environment's kernel memory (shared WebAssembly memory);
// its addresses are offsets from the buffer's start. That memory never moves as it grows, so the
// base stays valid; it is kept per environment (instance data), never process-wide.
static napi_value js_attach(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, &args, 1)) return NULL;
  size_t offset = 0;
  void *data = NULL;
  bool is_typed_array = false;
  napi_is_typedarray(env, args.argv[0], &is_typed_array);
  if (!is_typed_array) {
    napi_throw_type_error(env, "ERR_KERNEL_ARGUMENTS", "attach: expected a typed array");
    return NULL;
  }
  napi_get_typedarray_info(env, args.argv[0], NULL, NULL, &data, NULL, &offset);
  napi_set_instance_data(env, (uint8_t *)data - offset, NULL, NULL);
  return NULL;
}

static napi_value js_non_finite_rows(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 4)) return NULL;
  const double *data = pointer_at(&a, 0);
  int n = (int)number_at(&a, 1);
  int d = (int)number_at(&a, 2);
  int32_t *out = pointer_at(&a, 3);
  if (a.failed) return NULL;
  return number_result(env, non_finite_rows(data, n, d, out));
}

static napi_value js_kmeans_prepare(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 5)) return NULL;
  const double *centres = pointer_at(&a, 0);
  int k = (int)number_at(&a, 1);
  int d = (int)number_at(&a, 2);
  double *prepared = pointer_at(&a, 3);
  double *norms = pointer_at(&a, 4);
  if (a.failed) return NULL;
  return number_result(env, kmeans_prepare(centres, k, d, prepared, norms));
}

static napi_value js_kmeans_assign(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 17)) return NULL;
  const double *data = pointer_at(&a, 0);
  int n = (int)number_at(&a, 1);
  int d = (int)number_at(&a, 2);
  const double *centres = pointer_at(&a, 3);
  const double *prepared = pointer_at(&a, 4);
  const double *norms = pointer_at(&a, 5);
  int k = (int)number_at(&a, 6);
  double largest_norm = number_at(&a, 7);
  int32_t *assignments = pointer_at(&a, 8);
  double *distances = pointer_at(&a, 9);
  double *partials = pointer_at(&a, 10);
  int partial_stride = (int)number_at(&a, 11);
  bool want_cost = number_at(&a, 12) != 0;
  int block_rows = (int)number_at(&a, 13);
  double *scratch = pointer_at(&a, 14);
  int first_block = (int)number_at(&a, 15);
  int end_block = (int)number_at(&a, 16);
  if (a.failed) return NULL;
  kmeans_assign(data, n, d, centres, prepared, norms, k, largest_norm, assignments, distances,
                partials, partial_stride, want_cost, block_rows, scratch, first_block, end_block);
  return NULL;
}

static napi_value js_gradient_sums(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 14)) return NULL;
  int kind = (int)number_at(&a, 0);
  bool with_loss = number_at(&a, 1) != 0;
  const double *data = pointer_at(&a, 2);
  const double *labels = pointer_at(&a, 3);
  int d = (int)number_at(&a, 4);
  const double *weights = pointer_at(&a, 5);
  const int32_t *rows = pointer_at(&a, 6);
  int count = (int)number_at(&a, 7);
  double *partials = pointer_at(&a, 8);
  int partial_stride = (int)number_at(&a, 9);
  int block_rows = (int)number_at(&a, 10);
  // argument 11 is the scratch, which this kernel doesn't use
  int first_block = (int)number_at(&a, 12);
  int end_block = (int)number_at(&a, 13);
  if (a.failed) return NULL;
  gradient_sums(kind, with_loss, data, labels, d, weights, rows, count, partials, partial_stride,
                block_rows, first_block, end_block);
  return NULL;
}

static napi_value js_linear_predict(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 11)) return NULL;
  const double *data = pointer_at(&a, 0);
  int n = (int)number_at(&a, 1);
  int d = (int)number_at(&a, 2);
  const double *weights = pointer_at(&a, 3);
  double intercept = number_at(&a, 4);
  bool probability = number_at(&a, 5) != 0;
  double *out = pointer_at(&a, 6);
  int block_rows = (int)number_at(&a, 7);
  // argument 8 is the scratch, which this kernel doesn't use
  int first_block = (int)number_at(&a, 9);
  int end_block = (int)number_at(&a, 10);
  if (a.failed) return NULL;
  linear_predict(data, n, d, weights, intercept, probability, out, block_rows, first_block,
                 end_block);
  return NULL;
}

static napi_value js_gram_sums(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 10)) return NULL;
  const double *data = pointer_at(&a, 0);
  const double *labels = pointer_at(&a, 1);
  int d = (int)number_at(&a, 2);
  int n = (int)number_at(&a, 3);
  double *partials = pointer_at(&a, 4);
  int partial_stride = (int)number_at(&a, 5);
  int block_rows = (int)number_at(&a, 6);
  // argument 7 is the scratch, which this kernel doesn't use
  int first_block = (int)number_at(&a, 8);
  int end_block = (int)number_at(&a, 9);
  if (a.failed) return NULL;
  gram_sums(data, labels, d, n, partials, partial_stride, block_rows, first_block, end_block);
  return NULL;
}

// retainFreedMemory(bytes): how much freed memory glibc keeps for reuse instead of returning it
// to the system at once: its trim threshold; a quarter of it as padding whenever the heap grows;
// and blocks up to min(bytes, 32 MiB) from the heap rather than from mmap (an mmapped block goes
// back to the system as soon as it is freed). 0 puts back the documented defaults (128 KiB each;
// glibc's own adjustment of the mmap threshold, off once any of these is set, stays off).
// Returns whether glibc took it (false with another C library).
//
// Why: a typed array is allocated with calloc. When a batch's arrays (a block's predictions,
// say) are garbage-collected, glibc hands the freed pages back to the system, and the next
// batch's arrays fault fresh pages in: on virtual machines each page fault costs several
// microseconds, 100-200 µs for an 80 KB array, more than scoring its 10,000 rows.
static napi_value js_retain_freed_memory(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, &a, 1)) return NULL;
  double bytes = number_at(&a, 0);
  if (a.failed) return NULL;
  bool applied = false;
#ifdef __GLIBC__
  const int defaults = 128 * 1024;
  const int largest_mmap_threshold = 32 * 1024 * 1024;
  int threshold = bytes > 0 ? (int)(bytes < 1 << 30 ? bytes : 1 << 30) : defaults;
  int pad = bytes > 0 ? threshold / 4 : defaults;
  int mmap_threshold = bytes > 0 ? (threshold < largest_mmap_threshold ? threshold
                                                                       : largest_mmap_threshold)
                                 : defaults;
  applied = mallopt(M_TRIM_THRESHOLD, threshold) == 1 && mallopt(M_TOP_PAD, pad) == 1 &&
            mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, applied, &result);
  return result;
}

// Which instruction set the clones run on here (for benchmark records and diagnostics).
static napi_value js_instruction_set(napi_env env, napi_callback_info info) {
  (void)info;
#if defined(__x86_64__) && defined(__ELF__)
  // The same tests the clones' resolver makes (a whole level, not one feature of it).
  const char *name = __builtin_cpu_supports("x86-64-v4")   ? "x86-64-v4 (AVX-512)"
                     : __builtin_cpu_supports("x86-64-v3") ? "x86-64-v3 (AVX2)"
                                                           : "x86-64 (SSE2)";
#else
  const char *name = "portable C (no x86-64 builds)";
#endif
  napi_value result;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result);
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  const napi_property_descriptor methods[] = {
      {"attach", NULL, js_attach, NULL, NULL, NULL, napi_default, NULL},
      {"nonFiniteRows", NULL, js_non_finite_rows, NULL, NULL, NULL, napi_default, NULL},
      {"kmeansPrepare", NULL, js_kmeans_prepare, NULL, NULL, NULL, napi_default, NULL},
      {"kmeansAssign", NULL, js_kmeans_assign, NULL, NULL, NULL, napi_default, NULL},
      {"gradientSums", NULL, js_gradient_sums, NULL, NULL, NULL, napi_default, NULL},
      {"linearPredict", NULL, js_linear_predict, NULL, NULL, NULL, napi_default, NULL},
      {"gramSums", NULL, js_gram_sums, NULL, NULL, NULL, napi_default, NULL},
      {"retainFreedMemory", NULL, js_retain_freed_memory, NULL, NULL, NULL, napi_default, NULL},
      {"instructionSet", NULL, js_instruction_set, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}
