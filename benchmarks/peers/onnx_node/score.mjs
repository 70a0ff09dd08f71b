// A plain ONNX Runtime client in Node.js for the serving directory written by
// `multiinterest export-onnx`: it uses no part of the library, only manifest.json, the graphs and the id
// tables, so it shows what the exported graphs cost in another language's ONNX Runtime binding. It writes
// the same candidates TSV as `multiinterest recommend --out` and prints its timings in the same shape:
// session creation, first batch, then the steady state over all users.
//
//   node score.mjs --dir DIR --users USERS.tsv [--train TRAIN.tsv.gz] [--history EDGES.tsv ...]
//                  [--batch 64] [--method quota|unimodal] [--plain] [--threads N] [--no-spin] [--trusted-key KEY.pem]
//                  --out CANDIDATES.tsv
//
// Manifests: format versions 1 to 6 (docs/onnx.md, "Manifest format versions"); a newer one is refused naming its version,
// and a manifest of version 2 or later must name every field of its version; version 4's checksums are verified before
// serving (an edited manifest, or a served file changed or missing, is refused naming it). With --trusted-key (a PEM EC public
// key), the directory is served only if manifest.json.sig, the signer's ECDSA signature of manifest.json's SHA-256 (DER), verifies
// with it (docs/onnx.md, "Signatures"), checked before anything else of the manifest is read. What is served is what was verified:
// manifest.json is read once (signature, seal and parse from those bytes), and each recorded file once, hashed as it is read;
// the sessions (with their side files of external data, session option externalData) and the tables are made from those bytes,
// never read again by path (a side file past 4 GiB excepted: README.md). Directories: `cluster_quota` (encoder +
// quota scorer; `head_slots` is laid out by the graph) and `unimodal`; every other `retrieval` is refused.
//
// Threads: ONNX Runtime's defaults (intra-op threads = physical cores, idle threads spin) unless --threads N or
// --no-spin (session config session.intra_op.allow_spinning = 0, what the .NET library sets by default) is given.
//
// Users, as `recommend` serves them: a user of user_ids.tsv gets its trained list (source Trained), excluding its training
// edges (training_history.tsv, or --train) and its --history edges; a user the model does not know (user_ids.tsv leaves
// out the users without training edges) who brings no --history gets the top M of popular_items.tsv (source Popular).
// A user known only by a --history, in a unimodal directory whose manifest reads histories by their mean
// (`history_fold_in` null: every version-1 and -2 manifest, and fit --history-vector mean), gets the ranking of the mean
// of its history's item vectors (read from vector_scorer.onnx's initializer) by vector_scorer.onnx (source History).
// Users this client cannot serve as the library would are refused, by name, get no list, and make the exit status 3:
// a user known only by a --history where the manifest says `history_fold_in` (the implicit-ALS fold-in) or
// `history_encoder` (a divide-and-conquer encoder's query, version 5), or in a quota directory (the library builds the
// history's Mixture), and, in a unimodal directory whose manifest says
// `history_fold_in`, a trained user whose --history brings new items (the library reads it again from its whole history).

import { readFileSync, writeFileSync, existsSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { join, isAbsolute, dirname } from 'node:path';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';

const usage = `usage: node score.mjs --dir DIR --users FILE [--train FILE] [--history FILE ...] [--batch N] [--method quota|unimodal] [--plain] [--threads N] [--no-spin] [--trusted-key KEY.pem] --out FILE`;

function fail(message) {
  console.error(`error: ${message}`);
  console.error(usage);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { history: [], batch: 64, method: null, threads: 0, spin: true, plain: false };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--no-spin') { args.spin = false; continue; }
    if (name === '--plain') { args.plain = true; continue; }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) fail(`${name} needs a value`);
    i++;
    switch (name) {
      case '--dir': args.dir = value; break;
      case '--users': args.users = value; break;
      case '--train': args.train = value; break;
      case '--history': args.history.push(value); break;
      case '--out': args.out = value; break;
      case '--trusted-key': args.trustedKey = value; break;
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
  for (const required of ['dir', 'users', 'out']) if (!args[required]) fail(`--${required} is required`);
  return args;
}

/** The lines of a text file after its header; .gz files are decompressed. bytes: the file's bytes, already read (a served table). */
function dataLines(path, bytes = null) {
  if (bytes === null) {
    if (!existsSync(path)) fail(`no file '${path}'`);
    bytes = readFileSync(path);
  }
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  // Lines end at LF, CR LF or a lone CR, as .NET's StreamReader ends them for `recommend`; nothing else is taken off.
  const lines = bytes.toString('utf8').split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(1);
}

/** id -> row from an id table written by export-onnx (header "row<TAB>id"), from its bytes as read (and verified) once. */
function idTable(path, bytes) {
  const rows = new Map();
  const ids = [];
  for (const line of dataLines(path, bytes)) {
    const [row, id] = line.split('\t');
    rows.set(id, Number(row));
    ids[Number(row)] = id;
  }
  return { rows, ids };
}

/** Whether an id is blank: whitespace only, by .NET's char.IsWhiteSpace (Unicode White_Space), as `recommend` tells it. */
const isBlank = id => /^\p{White_Space}+$/u.test(id);

/**
 * Distinct first-column ids in order of appearance, read exactly as written, as `recommend` reads --users (" u0" is not
 * "u0"): an empty line is skipped; a line whose first field is empty (it starts with a TAB) is refused naming the line, and
 * so is a blank id (whitespace only) the model does not know (`known`), as `recommend` refuses them: the line lost its
 * id, and would otherwise be skipped or served the popular list. A blank id the model was trained on is its user.
 */
function userIds(path, known) {
  const seen = new Set();
  const blank = [];
  dataLines(path).forEach((line, index) => {
    if (line.length === 0) return;
    const id = line.split('\t')[0];
    if (id.length === 0) {
      fail(`users file '${path}', line ${index + 2}: the user id is empty (the line starts with a TAB): the line lost its id. Give the user's id first on the line, or remove the line`);
    }
    if (seen.has(id)) return;
    seen.add(id);
    if (isBlank(id) && !known(id)) blank.push([id, index + 2]);
  });
  // After the whole file, as `recommend` checks blank ids once its users are read: the first such line is named.
  if (blank.length > 0) {
    const [id, line] = blank[0];
    fail(`users file '${path}', line ${line}: the user id '${id.replaceAll('\t', '\\t')}' is blank (whitespace only) and no user of the model, `
      + 'so it would be served the popular list as a new user: the line most likely lost its id. Give the user\'s id, or remove the line');
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
      const user = userRows.get(line.slice(0, tab));
      const item = itemRows.get(line.slice(tab + 1).split('\t')[0]);
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

/** A protobuf varint at pos: [value, next position] (values up to 2^53, ample for lengths and dims). */
function varint(buf, pos) {
  let value = 0, scale = 1, byte;
  do { byte = buf[pos++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
  return [value, pos];
}

/** Calls visit(field, wire, start, end) for each field of the message in buf[start, end) (protobuf wire format). */
function protoFields(buf, start, end, visit) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = varint(buf, pos);
    const field = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) { let value; [value, pos] = varint(buf, pos); visit(field, wire, value); }
    else if (wire === 1) { visit(field, wire, pos, pos + 8); pos += 8; }
    else if (wire === 5) { visit(field, wire, pos, pos + 4); pos += 4; }
    else if (wire === 2) { let length; [length, pos] = varint(buf, pos); visit(field, wire, pos, pos + length); pos += length; }
    else throw new Error(`protobuf wire type ${wire}`);
  }
}

/**
 * The float initializers of an ONNX model by name ({ dims, data: Float32Array }), for the given names only: ModelProto
 * field 7 (graph), GraphProto field 5 (initializer), TensorProto fields 1 (dims), 2 (data_type, 1 = float), 8 (name),
 * 9 (raw_data, little-endian) or 4 (float_data). The library writes raw_data, or, for a graph past 2 GB or an export with
 * --external-data, ONNX external data: field 14 (data_location, 1 = EXTERNAL) and field 13 (external_data: key 1, value 2
 * entries location, offset, length), the bytes in a side file beside the model (docs/onnx.md, "Size limit").
 */
function floatInitializers(path, buf, names, sideFile) {
  const found = new Map();
  protoFields(buf, 0, buf.length, (field, wire, start, end) => {
    if (field !== 7 || wire !== 2) return;
    protoFields(buf, start, end, (g, gw, gs, ge) => {
      if (g !== 5 || gw !== 2) return;
      let name = '', type = 0, raw = null, floats = null, location = 0;
      const dims = [], external = {};
      protoFields(buf, gs, ge, (t, tw, ts, te) => {
        if (t === 8 && tw === 2) name = buf.toString('utf8', ts, te);
        else if (t === 14 && tw === 0) location = ts;
        else if (t === 13 && tw === 2) {
          let key = '', value = '';
          protoFields(buf, ts, te, (e, ew, es, ee) => {
            if (e === 1 && ew === 2) key = buf.toString('utf8', es, ee);
            else if (e === 2 && ew === 2) value = buf.toString('utf8', es, ee);
          });
          external[key] = value;
        }
        else if (t === 1 && tw === 0) dims.push(ts);
        else if (t === 1 && tw === 2) { for (let q = ts; q < te;) { let v; [v, q] = varint(buf, q); dims.push(v); } }
        else if (t === 2 && tw === 0) type = ts;
        else if (t === 9 && tw === 2) raw = [ts, te];
        else if (t === 4 && tw === 2) floats = [ts, te];
      });
      if (!names.includes(name)) return;
      if (type !== 1) fail(`initializer '${name}' of '${path}' is not float (data_type ${type})`);
      let data;
      if (location === 1) data = externalFloats(path, name, external, dims.reduce((a, b) => a * b, 1), sideFile);
      else {
        const [from, to] = raw ?? floats ?? [0, 0];
        data = new Float32Array(buf.buffer.slice(buf.byteOffset + from, buf.byteOffset + to));
      }
      if (data.length !== dims.reduce((a, b) => a * b, 1)) fail(`initializer '${name}' of '${path}' holds ${data.length} floats for dims [${dims}]`);
      found.set(name, { dims, data });
    });
  });
  return found;
}

/**
 * The floats of an initializer kept as ONNX external data: `count` little-endian floats of the side file `location` (beside
 * the model, never outside its folder) from `offset`, its `length` bytes exactly. They are copied from the side file's bytes
 * as they were read and hashed once (sideFile(location): { path, bytes }); a side file past what one Buffer holds (4 GiB)
 * is hashed without being kept, and its table is then read again by path, in blocks (the gap the README names). Anything
 * else is refused naming the model, the initializer and the side file.
 */
function externalFloats(path, name, entries, count, sideFile) {
  const where = `initializer '${name}' of '${path}'`;
  const location = entries.location;
  if (!location || isAbsolute(location) || location.split(/[\\/]/).includes('..')) fail(`${where} names external data at '${location}', not a file beside the model`);
  const { path: side, bytes: held, size } = sideFile(location, where);
  const offset = Number(entries.offset ?? 0), length = Number(entries.length ?? count * 4);
  if (!Number.isSafeInteger(offset) || offset < 0 || length !== count * 4) fail(`${where}: external data offset ${entries.offset}, length ${entries.length}, where its shape needs ${count * 4} bytes`);
  if (offset + length > size) fail(`${where}: external data [${offset}, ${offset + length}) lies past the end of '${side}' (${size} bytes): it was cut; export the directory again`);
  const data = new Float32Array(count);
  const bytes = new Uint8Array(data.buffer);
  if (held) {
    bytes.set(held.subarray(offset, offset + length));
    return data;
  }
  const fd = openSync(side, 'r');
  try {
    for (let done = 0; done < length;) {
      const read = readSync(fd, bytes, done, Math.min(1 << 20, length - done), offset + done);
      if (read <= 0) fail(`${where}: '${side}' ended while its external data was read`);
      done += read;
    }
  } finally { closeSync(fd); }
  return data;
}

/** The most bytes one Buffer holds here (4 GiB on 64-bit Node 20): a side file past it is hashed but not kept. */
const HOLDS = bufferConstants.MAX_LENGTH;

/**
 * A file read once: opened once, read in 1 MiB blocks (a side file may pass what one read, 2 GB, takes) and hashed as it
 * is read. { bytes, sha256, size }: bytes is the whole file, or null if keep is false or the file is larger than HOLDS
 * (then only hashed). The bytes are the ones hashed, so what is served from them is what was verified. A file that grows
 * while it is read is refused, naming it.
 */
function readOnce(path, keep = true) {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const held = keep && size <= HOLDS ? Buffer.allocUnsafe(size) : null;
    const block = held ? null : Buffer.allocUnsafe(1 << 20);
    let done = 0;
    for (;;) {
      const into = held && done < size ? held : block ?? Buffer.allocUnsafe(1 << 20);
      const at = into === held ? done : 0;
      const read = readSync(fd, into, at, Math.min(1 << 20, into.length - at), null);
      if (read <= 0) break;
      if (held && into !== held) fail(`'${path}' grew while it was read: it is being written; wait for the export to finish, or copy the directory again`);
      hash.update(into.subarray(at, at + read));
      done += read;
    }
    if (held && done !== size) fail(`'${path}' ended while it was read (${done} of ${size} bytes): it is being written; wait for the export to finish, or copy the directory again`);
    return { bytes: held, sha256: hash.digest('hex'), size: done };
  } finally { closeSync(fd); }
}

/** The manifest versions this client reads: 1 to READS (docs/onnx.md, "Manifest format versions"). */
const READS = 6;

/**
 * The top-level fields every manifest of version 2 names (the library's writer names every field, defaults and nulls
 * included; a missing one is damage, not a default), and those version 3 added.
 */
const FIELDS_V2 = [
  'format_version', 'library_version', 'candidates', 'alpha', 'retrieval', 'sources', 'pool_size', 'history_options',
  'mmr_lambda', 'interest_weight', 'pool_scorer', 'head_share', 'head_slots', 'query', 'beta', 'users', 'items',
  'clusters', 'largest_cluster', 'components', 'dimension', 'candidate_slack', 'exclusion_mask', 'encoder',
  'quota_scorer', 'unimodal_scorer', 'condition_model', 'implicit_share', 'condition_names', 'max_conditions',
  'vector_scorer', 'round_robin_scorer', 'history_encoder', 'history_mean', 'destination_components', 'model_stage',
];
const FIELDS_ADDED = { history_fold_in: 3, history_fold_in_items: 3, file_sha256: 4, manifest_sha256: 4, history_quota_scorer: 5 };

/**
 * Version 4's checksums (docs/onnx.md, "Checksums"): manifest_sha256 is the SHA-256 of the manifest's text with its value
 * as 64 zeros, file_sha256 each served file's SHA-256 (a part's manifest included; this client serves no parts). As the
 * library: the seal is checked whenever the manifest records one, whatever its format_version says (a version-4
 * manifest edited to say 3 is an edit, not a version-3 manifest), the text must hold exactly one manifest_sha256 entry,
 * and a version-4 manifest must record file_sha256, naming files inside the directory only.
 */
function verifyChecksums(dir, path, text, manifest, served, keep) {
  const sha = data => createHash('sha256').update(data).digest('hex');
  const entries = [...text.matchAll(/"manifest_sha256"\s*:\s*"([0-9a-f]{64})"/g)];
  const entry = entries.length === 1 ? entries[0] : null;
  const valueAt = entry && entry.index + entry[0].length - 65;
  if (!entry || sha(text.slice(0, valueAt) + '0'.repeat(64) + text.slice(valueAt + 64)) !== entry[1]) {
    fail(`'${path}' does not match its manifest_sha256: it was edited or damaged after the export; export the directory again`);
  }
  if (manifest.format_version < 4) return;
  const recorded = manifest.file_sha256;
  if (recorded === null || typeof recorded !== 'object' || Array.isArray(recorded)) {
    fail(`'${path}' (format version ${manifest.format_version}) records no file_sha256: it was edited or damaged; export the directory again`);
  }
  for (const [name, checksum] of Object.entries(recorded)) {
    if (name === '' || isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
      fail(`'${path}' records a checksum of '${name}', outside the directory: it was edited or damaged; export the directory again`);
    }
    served.record(name, checksum);
  }
  // Each recorded file read once, hashed as it is read; the files this run serves from (keep) stay in memory, and the
  // sessions and tables are made from those bytes, never read again by path.
  for (const name of Object.keys(recorded)) served.verify(name, keep(name));
}

/**
 * The files of a serving directory this run serves from, each read once (readOnce) and, where manifest.json records its
 * SHA-256, checked against it as it is read: get(name) gives the bytes verified (or, for a file the manifest does not
 * record, as in a directory before version 4, the bytes of the one read), never a second read by path. A recorded file
 * missing, or not matching its checksum, is refused naming it.
 */
class ServedFiles {
  constructor(dir, manifestPath) {
    this.dir = dir;
    this.manifestPath = manifestPath;
    this.recorded = new Map(); // full path -> SHA-256 recorded in the manifest
    this.held = new Map();     // full path -> { path, bytes (null past HOLDS), size }
  }

  record(name, checksum) { this.recorded.set(join(this.dir, name), checksum); }

  /** Reads a recorded file once and checks it; its bytes are held if keep. */
  verify(name, keep) {
    const file = join(this.dir, name);
    if (this.held.has(file)) return;
    const read = this.read(file, keep);
    if (read === null) fail(`'${file}' is missing, though '${this.manifestPath}' records it: copy the whole directory again, or export it again`);
    if (keep) this.held.set(file, read);
  }

  /** The file `name` (relative to the directory) as read once, or null if it is not there. */
  get(name) {
    const file = join(this.dir, name);
    let read = this.held.get(file);
    if (read === undefined) {
      // A file not kept by the verification (or not recorded): read now, once, and checked again if recorded.
      read = this.read(file, true);
      if (read === null) return null;
      this.held.set(file, read);
    }
    return read;
  }

  read(file, keep) {
    if (!existsSync(file)) return null;
    let read;
    try { read = readOnce(file, keep); } catch (e) { if (e.code === 'ENOENT') return null; throw e; }
    const checksum = this.recorded.get(file);
    if (checksum !== undefined && read.sha256 !== checksum) fail(`'${file}' does not match the SHA-256 '${this.manifestPath}' records for it: export the directory again`);
    return { path: file, bytes: read.bytes, size: read.size };
  }
}

/**
 * Refuses a manifest that starts with a byte-order mark, as the library does (docs/onnx.md, "Checksums"): the export writes
 * UTF-8 without one, so a mark means the file was saved again after the export; JSON.parse would refuse it as invalid JSON
 * and a reader that drops it would serve it, so both readers name it instead.
 */
function refuseByteOrderMark(bytes, path) {
  const marks = [[[0xff, 0xfe, 0x00, 0x00], 'UTF-32'], [[0x00, 0x00, 0xfe, 0xff], 'UTF-32'], [[0xef, 0xbb, 0xbf], 'UTF-8'],
    [[0xff, 0xfe], 'UTF-16'], [[0xfe, 0xff], 'UTF-16']];
  for (const [mark, name] of marks) {
    if (bytes.length < mark.length || !mark.every((b, i) => bytes[i] === b)) continue;
    const shown = mark.map(b => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    fail(`'${path}' starts with a ${name} byte-order mark (bytes ${shown}), which the export never writes (UTF-8 without one): `
      + 'it was saved again after the export, by an editor or a copy that re-encodes; its seal (manifest_sha256) covers the file as exported, '
      + `so it is not served. Remove the mark (its first ${mark.length} bytes${name === 'UTF-8' ? '' : ', and convert the file to UTF-8'}), `
      + 'or copy the directory again whole from where it was exported, or export it again');
  }
}

/**
 * The trusted key of --trusted-key and the signature file of the directory (docs/onnx.md, "Signatures"): the signer's ECDSA
 * signature over the SHA-256 of manifest.json as the export wrote it, DER encoded, in manifest.json.sig. readManifest
 * verifies it over the manifest's bytes as it read them, once, before anything else of them is read; the manifest records
 * every other file's SHA-256, which verifyChecksums then checks, so a verified signature covers the directory.
 */
function signatureOf(dir, keyPath) {
  if (!existsSync(keyPath)) fail(`--trusted-key: no file '${keyPath}'`);
  let key;
  try { key = createPublicKey(readFileSync(keyPath, 'utf8')); } catch (e) { fail(`--trusted-key: '${keyPath}' holds no key in PEM that can be read: ${e.message}`); }
  const signature = join(dir, 'manifest.json.sig');
  if (!existsSync(signature)) {
    fail(`the serving directory '${dir}' is not signed (it has no manifest.json.sig), and only directories signed by the trusted key are served: sign it where it was exported (export-onnx --signing-key)`);
  }
  return { key, path: signature, bytes: readFileSync(signature) };
}

/**
 * manifest.json, read once: with --trusted-key its signature is verified over those bytes first; the seal
 * (manifest_sha256) is checked and the JSON parsed from the same bytes, so what is served is what was verified. Then
 * checked as the library reads it: versions 1 to READS (a newer one is refused naming its version and the library that
 * wrote it), every field of its version from version 2 on, and the fields this client serves from; version 1 lacks the
 * later fields, which read as their defaults (no head, quota directory, mean histories). wanted(parsed manifest) says
 * which recorded files this run serves from (their bytes are kept as they are verified). Returns { manifest, served }.
 */
function readManifest(dir, trustedKey, wanted) {
  const path = join(dir, 'manifest.json');
  const signature = trustedKey ? signatureOf(dir, trustedKey) : null;
  if (!signature && existsSync(join(dir, 'EXPORT-UNFINISHED'))) {
    fail(`an export into '${dir}' did not finish (EXPORT-UNFINISHED is there): its files may mix two exports; wait for it, else export again`);
  }
  if (!existsSync(path)) fail(`no manifest at '${path}'`);
  const bytes = readFileSync(path);
  if (signature && !verify('sha256', bytes, { key: signature.key, dsaEncoding: 'der' }, signature.bytes)) {
    fail(`the signature '${signature.path}' does not verify the manifest of '${dir}' with the trusted key: signed with another key, or the manifest changed after it was signed; not served`);
  }
  if (signature && existsSync(join(dir, 'EXPORT-UNFINISHED'))) {
    fail(`an export into '${dir}' did not finish (EXPORT-UNFINISHED is there): its files may mix two exports; wait for it, else export again`);
  }
  refuseByteOrderMark(bytes, path);
  // Decoded once, the same text parsed and hashed: the seal covers the file as the export wrote it.
  const text = bytes.toString('utf8');
  let manifest;
  try { manifest = JSON.parse(text); } catch (e) { fail(`'${path}' is not valid JSON: ${e.message}`); }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) fail(`'${path}' is not a JSON object`);
  const version = manifest.format_version;
  const writer = typeof manifest.library_version === 'string' ? ` (written by Microsoft.ML.MultiInterest ${manifest.library_version})` : '';
  if (!Number.isInteger(version) || version < 1) fail(`'${path}' has format_version ${JSON.stringify(version)}, not a manifest version this client reads (1 to ${READS})`);
  if (version > READS) {
    fail(`'${path}' has manifest format_version ${version}${writer}; this client reads versions 1 to ${READS}: `
      + 'a newer version may change what the lists mean, so it is refused; update this client or export with a library that writes at most version 6');
  }
  if (version >= 2) {
    const missing = FIELDS_V2.concat(Object.keys(FIELDS_ADDED).filter(f => FIELDS_ADDED[f] <= version)).filter(f => !(f in manifest));
    if (missing.length > 0) {
      fail(`'${path}' (format version ${version}) lacks ${missing.map(f => `'${f}'`).join(', ')}, which every manifest of that version names: it was edited or damaged; export the directory again`);
    }
  }
  const served = new ServedFiles(dir, path);
  if (version >= 4 || manifest.manifest_sha256 != null) verifyChecksums(dir, path, text, manifest, served, wanted(manifest));
  // Version 1 named only some fields; the ones it lacks read as the library that wrote it meant them.
  const m = {
    version,
    writer,
    retrieval: manifest.retrieval ?? 'cluster_quota',
    candidates: manifest.candidates,
    items: manifest.items,
    users: manifest.users,
    dimension: manifest.dimension,
    headSlots: manifest.head_slots ?? 0,
    slack: manifest.candidate_slack ?? 0,
    exclusionMask: manifest.exclusion_mask === true,
    encoder: manifest.encoder,
    quotaScorer: manifest.quota_scorer,
    unimodalScorer: manifest.unimodal_scorer,
    vectorScorer: manifest.vector_scorer ?? null,
    historyFoldIn: version >= 3 ? manifest.history_fold_in : null,
    // Version 5: a divide-and-conquer model reads fresh histories (its mixture, or its query as the history's vector).
    historyEncoder: manifest.history_encoder ?? null,
  };
  for (const field of ['candidates', 'items', 'users']) {
    if (!Number.isInteger(m[field]) || m[field] < 1) fail(`'${path}' has ${field} ${JSON.stringify(manifest[field])}, not a count >= 1`);
  }
  if (m.retrieval !== 'cluster_quota' && m.retrieval !== 'unimodal') {
    fail(`'${path}' is a '${m.retrieval}' directory; this client serves 'cluster_quota' (fit --retriever quota) and 'unimodal' (fit --retriever unimodal) only: `
      + 'serve it with the library (recommend --onnx)');
  }
  if (!Number.isInteger(m.headSlots) || m.headSlots < 0 || m.headSlots > m.candidates) {
    fail(`'${path}' has head_slots ${JSON.stringify(manifest.head_slots)}, outside 0..${m.candidates} (candidates)`);
  }
  return { manifest: m, served };
}

/** The file of a graph the manifest names, checked to exist. */
function graphFile(dir, graph, name) {
  if (!graph || typeof graph.file !== 'string' || graph.file === '') fail(`the manifest of '${dir}' names no ${name}`);
  const path = join(dir, graph.file);
  if (!existsSync(path)) fail(`the manifest of '${dir}' names ${name} '${graph.file}', which is not there`);
  return path;
}

/** The side files (ONNX external data `location`s) the initializers of a model's graph name, in the order first named. */
function externalLocations(buf) {
  const locations = new Set();
  protoFields(buf, 0, buf.length, (field, wire, start, end) => {
    if (field !== 7 || wire !== 2) return;
    protoFields(buf, start, end, (g, gw, gs, ge) => {
      if (g !== 5 || gw !== 2) return;
      protoFields(buf, gs, ge, (t, tw, ts, te) => {
        if (t !== 13 || tw !== 2) return;
        let key = '', value = '';
        protoFields(buf, ts, te, (e, ew, es, ee) => {
          if (e === 1 && ew === 2) key = buf.toString('utf8', es, ee);
          else if (e === 2 && ew === 2) value = buf.toString('utf8', es, ee);
        });
        if (key === 'location') locations.add(value);
      });
    });
  });
  return [...locations];
}

/**
 * A graph the manifest names, as read and verified once (served.get), with its side files: { path, bytes, sideFile }.
 * sideFile(location, where) gives a side file beside the graph as read and verified once ({ path, bytes, size }; bytes
 * null past HOLDS), refusing one outside the graph's folder or missing, naming it.
 */
function servedGraph(dir, served, graph, name) {
  const path = graphFile(dir, graph, name);
  const read = served.get(graph.file);
  if (read === null) fail(`the manifest of '${dir}' names ${name} '${graph.file}', which is not there`);
  const sideFile = (location, where) => {
    if (!location || isAbsolute(location) || location.split(/[\\/]/).includes('..')) fail(`${where} names external data at '${location}', not a file beside the model`);
    const side = served.get(join(dirname(graph.file), location));
    if (side === null) fail(`${where} keeps its data in '${join(dirname(path), location)}', which is missing: copy the whole directory again, or export it again`);
    return side;
  };
  return { path, bytes: read.bytes, sideFile };
}

/**
 * An ONNX Runtime session made from a graph's verified bytes, its side files given from their verified bytes too
 * (session option externalData), so nothing is read again by path after the check. A side file past what one Buffer
 * holds (HOLDS) cannot be given so: ONNX Runtime is then told the graph's folder
 * (session.model_external_initializers_file_folder_path) and reads that side file by path, again, after the check (the
 * gap the README names).
 */
async function openSession(graph, options) {
  const externalData = [];
  let byPath = false;
  for (const location of externalLocations(graph.bytes)) {
    const side = graph.sideFile(location, `a table of '${graph.path}'`);
    if (side.bytes === null) byPath = true;
    else externalData.push({ path: location, data: side.bytes });
  }
  const opened = externalData.length > 0 ? { ...options, externalData } : { ...options };
  if (byPath) {
    opened.extra = { ...options.extra, session: { ...options.extra?.session, model_external_initializers_file_folder_path: dirname(graph.path) } };
  }
  return ort.InferenceSession.create(graph.bytes, opened);
}

/** Whether the engine's selector ranks (a, ia) before (b, ib): scores within 2e-7 relative (float32) are a tie for the lower row. */
const TOLERANCE = Math.fround(2e-7);
function better(a, ia, b, ib) {
  const tolerance = Math.fround(TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));
  if (a > Math.fround(b + tolerance)) return true;
  if (b > Math.fround(a + tolerance)) return false;
  return ia < ib;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // The recorded files this run serves from, kept in memory as they are verified: the tables, the graphs of the method,
  // the vector scorer where --history may bring users known by their history only, and those graphs' side files.
  const wanted = raw => {
    const unimodal = raw.retrieval === 'unimodal';
    const quotaRun = (args.method ?? (unimodal ? 'unimodal' : 'quota')) === 'quota';
    const graphs = quotaRun ? [raw.encoder, raw.quota_scorer] : [raw.unimodal_scorer];
    if (!quotaRun && args.history.length > 0) graphs.push(raw.vector_scorer);
    const files = ['user_ids.tsv', 'item_ids.tsv', 'popular_items.tsv'].concat(args.train ? [] : ['training_history.tsv']);
    const graphFiles = graphs.filter(g => g && typeof g.file === 'string').map(g => g.file);
    return name => files.includes(name) || graphFiles.some(g => name === g || name.startsWith(`${g}.`));
  };
  const { manifest, served } = readManifest(args.dir, args.trustedKey, wanted);
  /** A table of the directory, as read (and verified) once; missing: null. */
  const table = name => {
    const read = served.get(name);
    if (read !== null && read.bytes === null) fail(`'${read.path}' is larger (${read.size} bytes) than this client holds in memory`);
    return read?.bytes ?? null;
  };
  // A manifest before version 4 records no checksums, so its signature (made by another tool: the library signs none) covers no file.
  if (args.trustedKey && manifest.version < 4) {
    fail(`the serving directory '${args.dir}' (manifest format version ${manifest.version}) records no checksums of its files, so its signature covers none of them: export it again, then sign it (export-onnx --signing-key)`);
  }
  if (!manifest.exclusionMask) fail(`'${args.dir}' was exported without the exclusion mask; this client always excludes the training edges`);
  const unimodalDirectory = manifest.retrieval === 'unimodal';
  const method = args.method ?? (unimodalDirectory ? 'unimodal' : 'quota');
  if (method === 'quota' && unimodalDirectory) fail(`'${args.dir}' is a unimodal directory (no encoder or quota scorer): use --method unimodal`);
  const quota = method === 'quota';
  // The unimodal scorer's candidate outputs (M + slack per user) are re-sorted by the engine's tie rule unless --plain;
  // directories written before the candidate outputs (slack 0) give the plain lists.
  const exactOrder = !quota && !args.plain && manifest.slack > 0;

  const users = idTable(join(args.dir, 'user_ids.tsv'), table('user_ids.tsv'));
  const items = idTable(join(args.dir, 'item_ids.tsv'), table('item_ids.tsv'));
  const M = manifest.candidates;
  const I = manifest.items;
  if (items.ids.length !== I) fail(`item_ids.tsv lists ${items.ids.length} rows, the manifest ${I} items: it belongs to another export`);
  for (const row of users.rows.values()) {
    if (!Number.isInteger(row) || row < 0 || row >= manifest.users) fail(`user_ids.tsv lists row ${row}, outside the manifest's ${manifest.users} users`);
  }
  const ids = userIds(args.users, id => users.rows.has(id));

  // Each --history edge whose item the model knows, by user id (the library ignores an item id it does not know).
  const historyOf = new Map();
  let skipped = 0;
  for (const path of args.history) {
    for (const line of dataLines(path)) {
      const fields = line.split('\t');
      const user = fields[0];
      const item = items.rows.get(fields[1] ?? '');
      if (item === undefined) { skipped++; continue; }
      let set = historyOf.get(user);
      if (!set) historyOf.set(user, set = new Set());
      set.add(item);
    }
  }
  // The training edges every trained user's list excludes: training_history.tsv (user_row, item_row) where the export
  // wrote it, or the edges of --train (ids) as the model was fitted on them.
  const trainedOf = new Map();
  if (args.train) {
    for (const line of dataLines(args.train)) {
      const fields = line.split('\t');
      const user = users.rows.get(fields[0]);
      const item = items.rows.get(fields[1] ?? '');
      if (user === undefined || item === undefined) { skipped++; continue; }
      let set = trainedOf.get(user);
      if (!set) trainedOf.set(user, set = new Set());
      set.add(item);
    }
  } else {
    const path = join(args.dir, 'training_history.tsv');
    const bytes = table('training_history.tsv');
    if (bytes === null) fail(`'${args.dir}' has no training_history.tsv (exported before 2026-12-03): give --train, the edges the model was fitted on`);
    for (const line of dataLines(path, bytes)) {
      const [u, i] = line.split('\t').map(Number);
      if (!Number.isInteger(u) || !Number.isInteger(i) || u < 0 || u >= manifest.users || i < 0 || i >= I) fail(`training_history.tsv has a line '${line}' outside the manifest's rows`);
      let set = trainedOf.get(u);
      if (!set) trainedOf.set(u, set = new Set());
      set.add(i);
    }
  }
  if (skipped > 0) console.log(`${skipped.toLocaleString('en-US')} edges name a user or item the model does not know; ignored.`);

  // Who gets what. A trained user is served from its row; a user user_ids.tsv leaves out (unknown, or a key without
  // training edges, whose row is a zero vector) is never scored by row.
  const rereads = manifest.historyFoldIn != null && unimodalDirectory;
  // A user known only by a --history: a unimodal directory whose manifest reads histories by their mean (history_fold_in
  // null: every version-1 and -2 manifest, and a fit with --history-vector mean) ranks the mean of the history's item
  // vectors with vector_scorer.onnx, as the library does; the fold-in, a divide-and-conquer encoder's query (history_encoder)
  // and a quota directory's Mixture are refused.
  const servesHistories = unimodalDirectory && !quota && manifest.historyFoldIn == null && manifest.historyEncoder == null && manifest.vectorScorer != null;
  const fromHistory = []; // positions in ids of the users served from their --history
  const known = [];       // positions in ids of the trained users served from their rows
  const popular = [];     // positions of the unknown users without a history
  const refused = { history: [], reread: [] };
  for (let q = 0; q < ids.length; q++) {
    const row = users.rows.get(ids[q]);
    const fresh = historyOf.get(ids[q]);
    if (row === undefined) {
      if (fresh && fresh.size > 0) (servesHistories ? fromHistory : refused.history).push(servesHistories ? q : ids[q]); else popular.push(q);
      continue;
    }
    if (rereads && fresh) {
      const trained = trainedOf.get(row) ?? new Set();
      let fresher = false;
      for (const i of fresh) if (!trained.has(i)) { fresher = true; break; }
      if (fresher) { refused.reread.push(ids[q]); continue; }
    }
    known.push(q);
  }
  const rows = known.map(q => users.rows.get(ids[q]));
  const seen = new Map();
  for (const q of known) {
    const row = users.rows.get(ids[q]);
    const all = new Set(trainedOf.get(row) ?? []);
    for (const i of historyOf.get(ids[q]) ?? []) all.add(i);
    seen.set(row, Int32Array.from(all));
  }

  // Set-up: the sessions this method needs (the quota path: encoder + quota scorer; unimodal: its scorer).
  const options = args.threads > 0 ? { intraOpNumThreads: args.threads } : {};
  if (!args.spin) options.extra = { session: { intra_op: { allow_spinning: '0' } } };
  const graphs = quota
    ? [servedGraph(args.dir, served, manifest.encoder, 'encoder'), servedGraph(args.dir, served, manifest.quotaScorer, 'quota_scorer')]
    : [servedGraph(args.dir, served, manifest.unimodalScorer, 'unimodal_scorer')];
  const unimodalOutputs = exactOrder ? ['candidate_rows', 'candidate_scores'] : ['item_rows', 'scores'];
  const declared = manifest.unimodalScorer?.outputs;
  if (!quota && Array.isArray(declared) && !unimodalOutputs.every(o => declared.includes(o))) {
    fail(`the unimodal scorer of '${args.dir}' lacks the outputs ${unimodalOutputs.join(', ')}`);
  }
  const open = performance.now();
  const sessions = [];
  for (const graph of graphs) sessions.push(await openSession(graph, options));
  const openSeconds = (performance.now() - open) / 1000;
  const [encoder, quotaScorer] = sessions;
  const unimodalScorer = sessions[0];

  const width = Math.min(args.batch, Math.max(1, rows.length, fromHistory.length));
  const batchRows = new BigInt64Array(width);
  const mask = new Float32Array(width * I);
  const order = [];

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
      const out = await unimodalScorer.run({ user_rows: userTensor, exclusion_mask: maskTensor }, unimodalOutputs);
      result = { item_rows: out[unimodalOutputs[0]], scores: out[unimodalOutputs[1]] };
    }
    extract(result.item_rows, result.scores, start, batch, outRows, outScores, outCounts);
  }

  /** The lists of one call's outputs into outRows / outScores / outCounts from position start. */
  function extract(rowsTensor, scoresTensor, start, batch, outRows, outScores, outCounts) {
    const itemRows = rowsTensor.data;
    const scores = scoresTensor.data;
    const K = rowsTensor.dims[1];
    // A list ends at item row -1 (quota scorer) or at the first -inf score (unimodal scorer: excluded tail). The
    // unimodal candidates are ordered by the engine's rule (near-ties to the lower row), and the first M kept.
    for (let q = 0; q < batch; q++) {
      let count = 0;
      const base = q * K;
      const out = (start + q) * M;
      if (exactOrder) {
        order.length = 0;
        for (let k = 0; k < K && scores[base + k] !== -Infinity; k++) order.push(k);
        order.sort((x, y) => {
          const a = scores[base + x], b = scores[base + y];
          const ia = Number(itemRows[base + x]), ib = Number(itemRows[base + y]);
          return better(a, ia, b, ib) ? -1 : better(b, ib, a, ia) ? 1 : 0;
        });
        for (; count < M && count < order.length; count++) {
          outRows[out + count] = Number(itemRows[base + order[count]]);
          outScores[out + count] = scores[base + order[count]];
        }
      } else {
        for (; count < M; count++) {
          const row = itemRows[base + count];
          const score = scores[base + count];
          if (quota ? row < 0n : score === -Infinity) break;
          outRows[out + count] = Number(row);
          outScores[out + count] = score;
        }
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
  if (warmUp.length > 0) await scoreAll(warmUp);
  const firstSeconds = (performance.now() - first) / 1000;
  const clock = performance.now();
  const { outRows, outScores, outCounts } = await scoreAll(rows);
  const seconds = (performance.now() - clock) / 1000;

  // Users known only by their --history (servesHistories): the mean of the distinct history items' vectors (a float32
  // sum in ascending row order, times 1f / n, as EmbeddingMatrix.MeanOf), items without a vector (item_absence) dropped
  // as the library drops them, the history's items excluded; ranked by vector_scorer.onnx, candidates in the engine's order.
  let history = null;
  if (fromHistory.length > 0) {
    const graph = servedGraph(args.dir, served, manifest.vectorScorer, 'vector_scorer');
    const file = graph.path;
    const declared = manifest.vectorScorer.outputs;
    if (Array.isArray(declared) && !unimodalOutputs.every(o => declared.includes(o))) fail(`the vector scorer of '${args.dir}' lacks the outputs ${unimodalOutputs.join(', ')}`);
    const tables = floatInitializers(file, graph.bytes, ['item_embeddings', 'item_absence'], graph.sideFile);
    const table = tables.get('item_embeddings');
    if (!table || table.dims.length !== 2 || table.dims[0] !== I) fail(`'${file}' holds no item_embeddings [${I}, d] initializer`);
    const d = table.dims[1];
    const absent = tables.get('item_absence')?.data;
    const vectorSession = await openSession(graph, options);
    const clock = performance.now();
    const n = fromHistory.length;
    const vectors = new Float32Array(width * d);
    const outRowsH = new Int32Array(n * M), outScoresH = new Float32Array(n * M), outCountsH = new Int32Array(n);
    const emptied = [];
    for (let start = 0; start < n; start += width) {
      const batch = Math.min(width, n - start);
      const maskView = mask.subarray(0, batch * I);
      maskView.fill(0);
      vectors.fill(0);
      for (let q = 0; q < batch; q++) {
        const own = [...historyOf.get(ids[fromHistory[start + q]])].filter(i => !(absent && absent[i] === -Infinity)).sort((x, y) => x - y);
        const v = vectors.subarray(q * d, (q + 1) * d);
        for (const i of own) {
          maskView[q * I + i] = -Infinity;
          const base = i * d;
          for (let k = 0; k < d; k++) v[k] = Math.fround(v[k] + table.data[base + k]);
        }
        if (own.length === 0) emptied.push(start + q);
        const scale = Math.fround(1 / Math.max(own.length, 1));
        for (let k = 0; k < d; k++) v[k] = Math.fround(v[k] * scale);
      }
      const out = await vectorSession.run({
        user_embedding: new ort.Tensor('float32', vectors.subarray(0, batch * d), [batch, d]),
        exclusion_mask: new ort.Tensor('float32', maskView, [batch, I]),
      }, unimodalOutputs);
      extract(out[unimodalOutputs[0]], out[unimodalOutputs[1]], start, batch, outRowsH, outScoresH, outCountsH);
    }
    // A history of items without vectors only is an empty history: the library gives it the popular list.
    for (const p of emptied) { outCountsH[p] = 0; popular.push(fromHistory[p]); }
    history = { outRows: outRowsH, outScores: outScoresH, outCounts: outCountsH, seconds: (performance.now() - clock) / 1000, emptied: new Set(emptied) };
  }

  // The popular list of a user the model does not know and who brings no history: the top M of popular_items.tsv
  // (most trained first), scores the training degrees, as MultiInterestRecommender serves it.
  let popularList = null;
  if (popular.length > 0) {
    const path = join(args.dir, 'popular_items.tsv');
    const bytes = table('popular_items.tsv');
    if (bytes === null) fail(`${popular.length} users are unknown to the model and '${args.dir}' has no popular_items.tsv (exported before 2026-12-03) to serve them; export again`);
    popularList = dataLines(path, bytes).slice(0, M).map(line => {
      const [, id, degree] = line.split('\t');
      return `${id}\t${formatFloat(Math.fround(Number(degree)))}`;
    });
  }

  // The lists in the order of the users file, as `recommend --out` writes them (unserved users have none).
  const positionOf = new Map(known.map((q, p) => [q, p]));
  const isPopular = new Set(popular);
  const historyPosition = new Map(fromHistory.map((q, h) => [q, h]));
  const lines = ['user\trank\titem\tscore\tsource'];
  let empty = 0;
  for (let q = 0; q < ids.length; q++) {
    const p = positionOf.get(q);
    if (p !== undefined) {
      if (outCounts[p] === 0) empty++;
      for (let r = 0; r < outCounts[p]; r++) {
        lines.push(`${ids[q]}\t${r + 1}\t${items.ids[outRows[p * M + r]]}\t${formatFloat(outScores[p * M + r])}\tTrained`);
      }
    } else if (historyPosition.has(q) && !history.emptied.has(historyPosition.get(q))) {
      const h = historyPosition.get(q);
      for (let r = 0; r < history.outCounts[h]; r++) {
        lines.push(`${ids[q]}\t${r + 1}\t${items.ids[history.outRows[h * M + r]]}\t${formatFloat(history.outScores[h * M + r])}\tHistory`);
      }
    } else if (isPopular.has(q)) {
      popularList.forEach((entry, r) => lines.push(`${ids[q]}\t${r + 1}\t${entry}\tPopular`));
    }
  }
  writeFileSync(args.out, lines.join('\n') + '\n');

  const threads = (args.threads > 0 ? `${args.threads} intra-op threads` : 'ONNX Runtime default intra-op threads')
    + (args.spin ? '' : ', no spinning');
  console.log(`onnxruntime-node ${ort.env.versions.node} (${threads}), ${method}${exactOrder ? ' (engine tie order)' : ''}, batch ${args.batch}, manifest v${manifest.version}: `
    + `sessions opened in ${openSeconds.toFixed(2)} s, first batch of ${warmUp.length} in ${firstSeconds.toFixed(2)} s; `
    + `${rows.length.toLocaleString('en-US')} users in ${seconds.toFixed(2)} s `
    + `(${Math.round(rows.length / Math.max(seconds, 1e-9)).toLocaleString('en-US')} users/s) -> ${args.out}`
    + (history ? `; ${(fromHistory.length - history.emptied.size).toLocaleString('en-US')} users from their --history's mean vector in ${history.seconds.toFixed(2)} s` : '')
    + (popular.length > 0 ? `; ${popular.length.toLocaleString('en-US')} users unknown to the model given the popular list` : '')
    + (empty > 0 ? `; ${empty.toLocaleString('en-US')} trained users with nothing left to return` : '') + '.');
  const sample = list => list.slice(0, 5).join(', ') + (list.length > 5 ? ', ...' : '');
  const counted = n => `${n.toLocaleString('en-US')} user${n === 1 ? '' : 's'}`;
  if (refused.history.length + refused.reread.length > 0) process.exitCode = 3;
  if (refused.history.length > 0) {
    console.error(`refused ${counted(refused.history.length)} known only by their --history (${sample(refused.history)}): no list written; `
      + (unimodalDirectory ? `this client does not compute a history's vector (${manifest.historyEncoder != null ? 'the divide-and-conquer encoder\'s query'
        : manifest.historyFoldIn != null ? 'the fold-in of its item vectors' : 'the mean of its item vectors'})`
        : 'this client does not build a history\'s Mixture and vector')
      + '; recommend --onnx --history serves them.');
  }
  if (refused.reread.length > 0) {
    console.error(`refused ${counted(refused.reread.length)} (trained) whose --history brings new items (${sample(refused.reread)}): no list written; `
      + 'the manifest says history_fold_in, so the library reads them again from their whole history by the fold-in, which this client does not compute; '
      + 'recommend --onnx --history serves them (without --history this client serves their trained lists).');
  }
}

await main();
