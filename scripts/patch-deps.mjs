#!/usr/bin/env node
// Repairs known defects in installed packages that their releases have not fixed yet. Run by npm
// after every install (the postinstall script); idempotent; fails the install loudly when a package
// is no longer the version a repair was written for, so an upgrade is reviewed instead of silently
// losing the repair (drop the entry once upstream ships the fix).
//
// See each entry for what it repairs.
//
// postgres 3.4.9 (porsager/postgres#1066, #1154, #1208): when a connection closes while a transaction
// is open, sql.begin() sends its own ROLLBACK on that connection. closed() has already set the socket
// to null, the write is deferred with setImmediate, and `socket.write` then throws a TypeError outside
// any promise — the process dies (seen on `pg_ctl -m fast` under load). Also, closed()/terminate()
// clear the deferred-write timer without forgetting it or the buffered bytes, so the reconnected
// connection never flushes small writes (its startup message) or prepends stale bytes to them.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const repairs = [
  {
    pkg: 'postgres',
    version: '3.4.9',
    files: ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'],
    edits: [
      // A query on a connection whose socket is gone fails at once, instead of being written to null.
      ["  function execute(q) {\n    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))", "  function execute(q) {\n    if (terminated || !socket) // xuncha: closed connection\n      return queryError(q, Errors.connection(terminated ? 'CONNECTION_DESTROYED' : 'CONNECTION_CLOSED', options))"],
      ['  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)', '  function nextWrite(fn) {\n    if (!socket) return (chunk = nextWriteTimer = null, false) // xuncha: closed connection\n    const x = socket.write(chunk, fn)'],
      ['    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection(\'CONNECTION_DESTROYED\', options))\n\n    clearImmediate(nextWriteTimer)\n', "    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection('CONNECTION_DESTROYED', options))\n\n    clearImmediate(nextWriteTimer), chunk = nextWriteTimer = null // xuncha: forget the dropped write\n"],
      ['    incomings = null\n    clearImmediate(nextWriteTimer)\n    socket.removeListener(\'data\', data)', "    incomings = null\n    clearImmediate(nextWriteTimer), chunk = nextWriteTimer = null // xuncha: forget the dropped write\n    socket.removeListener('data', data)"],
    ],
  },
  {
    // exceljs 4.4.0's streaming reader (WorkbookReader) decodes each chunk of XML on its own, so a
    // character split across two chunks (any Chinese text, eventually) turns into U+FFFD: names change
    // silently on import. Decode the stream as a stream.
    pkg: 'exceljs',
    version: '4.4.0',
    files: ['lib/utils/parse-sax.js'],
    edits: [
      [
        '  for await (const chunk of iterable) {\n    saxesParser.write(bufferToString(chunk));',
        "  const decoder = new TextDecoder('utf-8'); // xuncha: characters split across chunks\n  for await (const chunk of iterable) {\n    saxesParser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, {stream: true}));",
      ],
    ],
  },
];

let failed = false;
for (const repair of repairs) {
  const dir = `${root}node_modules/${repair.pkg}/`;
  if (!existsSync(`${dir}package.json`)) continue; // not installed (e.g. a trimmed production tree)
  const { version } = JSON.parse(readFileSync(`${dir}package.json`, 'utf8'));
  if (version !== repair.version) {
    console.error(`patch-deps: ${repair.pkg} is ${version}, the repair was written for ${repair.version}: check whether upstream fixed it, then update or drop the entry in scripts/patch-deps.mjs`);
    failed = true;
    continue;
  }
  for (const file of repair.files) {
    const path = dir + file;
    if (!existsSync(path)) continue;
    let text = readFileSync(path, 'utf8');
    const before = text;
    for (const [from, to] of repair.edits) {
      if (text.includes(to)) continue;
      if (text.split(from).length !== 2) {
        console.error(`patch-deps: ${repair.pkg}/${file}: the text to repair was not found exactly once`);
        failed = true;
        continue;
      }
      text = text.replace(from, to);
    }
    if (text !== before) writeFileSync(path, text);
  }
}
if (failed) process.exit(1);
