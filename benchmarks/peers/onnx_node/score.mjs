// A plain ONNX Runtime client in Node.js for the serving directory written by
// `multiinterest export-onnx`: it uses no part of the library, only manifest.json, the graphs and the id
// tables, so it shows what the exported graphs cost in another language's ONNX Runtime binding. It writes
// the same candidates TSV as `multiinterest recommend --out` and prints its timings in the same shape:
// session creation, first batch, then the steady state over all users.
//
//   node score.mjs --dir DIR --users USERS.tsv --train TRAIN.tsv.gz [--history EDGES.tsv ...]
//                  [--batch 64] [--method quota|unimodal] [--threads N] [--no-spin] --out CANDIDATES.tsv
//
// Threads: ONNX Runtime's defaults (intra-op threads = physical cores, idle threads spin) unless --threads N or
// --no-spin (session config session.intra_op.allow_spinning = 0, what the .NET library sets by default) is given.
//
// Exclusions: every edge of --train and of each --history file whose user and item the model knows
// (the .NET CLI excludes the model's stored training history plus --history; pass the training edges
// the model was fitted on to get the same masks).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';

const usage = `usage: node score.mjs --dir DIR --users FILE --train FILE [--history FILE ...] [--batch N] [--method quota|unimodal] [--threads N] [--no-spin] --out FILE`;

function fail(message) {
  console.error(`error: ${message}`);
  console.error(usage);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { history: [], batch: 64, method: 'quota', threads: 0, spin: true };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--no-spin') { args.spin = false; continue; }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) fail(`${name} needs a value`);
    i++;
    switch (name) {
      case '--dir': args.dir = value; break;
      case '--users': args.users = value; break;
      case '--train': args.train = value; break;
      case '--history': args.history.push(value); break;
      case '--out': args.out = value; break;
      case '--method':
        if (value !== 'quota' && value !== 'unimodal') fail(`--method must be quota or unimodal, not '${value}'`);
        args.method = value;
        break;
      case '--batch':
      case '--threads': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < (name === '--batch' ? 1 : 0)) fail(`${name} must be an integer ${name === '--batch' ? '>= 1' : '>= 0'}, not '${value}'`);
        args[name.slice(2)] = n;
        break;
      }
      default: fail(`unknown option '${name}'`);
    }
  }
  for (const required of ['dir', 'users', 'train', 'out']) if (!args[required]) fail(`--${required} is required`);
  return args;
}

/** The lines of a text file after its header; .gz files are decompressed. */
function dataLines(path) {
  if (!existsSync(path)) fail(`no file '${path}'`);
  let bytes = readFileSync(path);
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  const lines = bytes.toString('utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(1).map(line => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** id -> row from an id table written by export-onnx (header "row<TAB>id"). */
function idTable(path) {
  const rows = new Map();
  const ids = [];
  for (const line of dataLines(path)) {
    const [row, id] = line.split('\t');
    rows.set(id, Number(row));
    ids[Number(row)] = id;
  }
  return { rows, ids };
}

/** Distinct first-column ids in order of appearance, as the CLI reads --users. */
function userIds(path) {
  const seen = new Set();
  for (const line of dataLines(path)) {
    const id = line.split('\t')[0].trim();
    if (id.length > 0) seen.add(id);
  }
  return [...seen];
}

/** For the served user rows only: row -> item rows to exclude, from every edge file given. */
function exclusions(paths, userRows, itemRows, served) {
  const byUser = new Map();
  for (const row of served) byUser.set(row, new Set());
  let skipped = 0;
  for (const path of paths) {
    for (const line of dataLines(path)) {
      const tab = line.indexOf('\t');
      const user = userRows.get(line.slice(0, tab).trim());
      const item = itemRows.get(line.slice(tab + 1).split('\t')[0].trim());
      if (user === undefined || item === undefined) { skipped++; continue; }
      byUser.get(user)?.add(item);
    }
  }
  const result = new Map();
  for (const [row, items] of byUser) result.set(row, Int32Array.from(items));
  return { seen: result, skipped };
}

/**
 * The shortest text that reads back as the same float32, written as .NET's float.ToString("R") writes it (so that the
 * lists can be compared byte for byte): the fewest significant digits that round-trip, a value exactly halfway
 * between two such texts taking the even last digit, exponent notation below 1e-4 and from 1e9 on ("1E-05", "1E+09"), as .NET's general format with 9 digits.
 */
function formatFloat(value) {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  let digits = 1;
  while (digits < 9 && Math.fround(Number(value.toPrecision(digits))) !== value) digits++;
  // toPrecision rounds halves away from zero; .NET takes the even digit. A float's decimal expansion is exact within
  // 100 digits here, so a tie is an expansion of exactly digits + 1 significant digits ending in 5.
  let [mantissa, exponent] = value.toExponential(digits - 1).split('e');
  const exact = value.toExponential(99).split('e')[0].replace(/0+$/, '');
  const significant = exact.replace(/^-/, '').replace('.', '');
  if (significant.length === digits + 1 && significant.endsWith('5')) {
    const down = value.toExponential(99).slice(0, exact.length - 1).replace(/\.$/, '');
    const lastDown = Number(down[down.length - 1]);
    if (lastDown % 2 === 0 && Math.fround(Number(`${down}e${exponent}`)) === value) [mantissa] = [down];
  }
  const power = Number(exponent);
  if (power < -4 || power > 8) {
    return `${mantissa.replace(/\.?0+$/, '')}E${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  }
  return String(Number(`${mantissa}e${exponent}`));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(join(args.dir, 'manifest.json'), 'utf8'));
  if (manifest.format_version !== 1) fail(`manifest format_version ${manifest.format_version}; this client reads 1`);
  const users = idTable(join(args.dir, 'user_ids.tsv'));
  const items = idTable(join(args.dir, 'item_ids.tsv'));
  const ids = userIds(args.users);
  const known = ids.filter(id => users.rows.has(id));
  const rows = known.map(id => users.rows.get(id));
  const { seen, skipped } = exclusions([args.train, ...args.history], users.rows, items.rows, rows);
  if (skipped > 0) console.log(`${skipped.toLocaleString('en-US')} edges name a user or item the model does not know; ignored.`);
  if (!manifest.exclusion_mask) fail(`'${args.dir}' was exported without the exclusion mask; this client always excludes the training edges`);

  const M = manifest.candidates;
  const I = manifest.items;
  const quota = args.method === 'quota';

  // Set-up: the sessions this method needs (the quota path: encoder + quota scorer; unimodal: its scorer).
  const options = args.threads > 0 ? { intraOpNumThreads: args.threads } : {};
  if (!args.spin) options.extra = { session: { intra_op: { allow_spinning: '0' } } };
  const open = performance.now();
  const graphs = quota ? [manifest.encoder, manifest.quota_scorer] : [manifest.unimodal_scorer];
  const sessions = [];
  for (const graph of graphs) sessions.push(await ort.InferenceSession.create(join(args.dir, graph.file), options));
  const openSeconds = (performance.now() - open) / 1000;
  const [encoder, quotaScorer] = sessions;
  const unimodalScorer = sessions[0];

  const width = Math.min(args.batch, Math.max(1, rows.length));
  const batchRows = new BigInt64Array(width);
  const mask = new Float32Array(width * I);

  /** Scores users[start, start + batch) into outRows / outScores / outCounts at the same positions. */
  async function scoreBatch(batchUsers, start, batch, outRows, outScores, outCounts) {
    const maskView = mask.subarray(0, batch * I);
    maskView.fill(0);
    for (let q = 0; q < batch; q++) {
      const user = batchUsers[start + q];
      batchRows[q] = BigInt(user);
      const excluded = seen.get(user);
      const offset = q * I;
      for (let k = 0; k < excluded.length; k++) maskView[offset + excluded[k]] = -Infinity;
    }
    const userTensor = new ort.Tensor('int64', batchRows.subarray(0, batch), [batch]);
    const maskTensor = new ort.Tensor('float32', maskView, [batch, I]);
    let result;
    if (quota) {
      const mixture = await encoder.run({ user_rows: userTensor }, ['user_embedding', 'mixture_clusters', 'mixture_embeddings', 'quotas']);
      result = await quotaScorer.run({ ...mixture, exclusion_mask: maskTensor }, ['item_rows', 'scores']);
    } else {
      result = await unimodalScorer.run({ user_rows: userTensor, exclusion_mask: maskTensor }, ['item_rows', 'scores']);
    }
    const itemRows = result.item_rows.data;
    const scores = result.scores.data;
    // A list ends at item row -1 (quota scorer) or at the first -inf score (unimodal scorer: excluded tail).
    for (let q = 0; q < batch; q++) {
      let count = 0;
      const base = q * M;
      const out = (start + q) * M;
      for (; count < M; count++) {
        const row = itemRows[base + count];
        const score = scores[base + count];
        if (quota ? row < 0n : score === -Infinity) break;
        outRows[out + count] = Number(row);
        outScores[out + count] = score;
      }
      outCounts[start + q] = count;
    }
  }

  async function scoreAll(batchUsers) {
    const n = batchUsers.length;
    const outRows = new Int32Array(n * M);
    const outScores = new Float32Array(n * M);
    const outCounts = new Int32Array(n);
    for (let start = 0; start < n; start += width) {
      await scoreBatch(batchUsers, start, Math.min(width, n - start), outRows, outScores, outCounts);
    }
    return { outRows, outScores, outCounts };
  }

  // The first batch (first-run allocations, the optimiser's caches) is timed apart, as in the .NET CLI.
  const warmUp = rows.slice(0, Math.min(rows.length, args.batch));
  const first = performance.now();
  await scoreAll(warmUp);
  const firstSeconds = (performance.now() - first) / 1000;
  const clock = performance.now();
  const { outRows, outScores, outCounts } = await scoreAll(rows);
  const seconds = (performance.now() - clock) / 1000;

  // The source column of `recommend --out`: this client serves the users the model was trained on only.
  const lines = ['user\trank\titem\tscore\tsource'];
  let empty = ids.length - known.length;
  for (let q = 0; q < known.length; q++) {
    if (outCounts[q] === 0) empty++;
    for (let r = 0; r < outCounts[q]; r++) {
      lines.push(`${known[q]}\t${r + 1}\t${items.ids[outRows[q * M + r]]}\t${formatFloat(outScores[q * M + r])}\tTrained`);
    }
  }
  writeFileSync(args.out, lines.join('\n') + '\n');

  const threads = (args.threads > 0 ? `${args.threads} intra-op threads` : 'ONNX Runtime default intra-op threads')
    + (args.spin ? '' : ', no spinning');
  console.log(`onnxruntime-node ${ort.env.versions.node} (${threads}), ${args.method}, batch ${args.batch}: `
    + `sessions opened in ${openSeconds.toFixed(2)} s, first batch of ${warmUp.length} in ${firstSeconds.toFixed(2)} s; `
    + `${known.length.toLocaleString('en-US')} users in ${seconds.toFixed(2)} s `
    + `(${Math.round(known.length / Math.max(seconds, 1e-9)).toLocaleString('en-US')} users/s) -> ${args.out}`
    + (empty > 0 ? `; ${empty.toLocaleString('en-US')} users without candidates (unknown to the model or nothing left to return).` : '.'));
}

await main();
