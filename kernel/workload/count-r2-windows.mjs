#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Counts the R2 windows really present in an ftrace recording of the probe kit's events, without
// the analysis (its own line regexes, file order = the global trace clock's order): a lookup that
// found the md between the remover's release and its unpublish and then took a reference.
//
//   node kernel/workload/count-r2-windows.mjs TRACE...
//
// The remover's release is its last `up_write` of `_hash_lock` (dev_remove dropping the hash, after
// which stock 6.1 has set DMF_DELETING) before its unpublish, the `idr_replace` of the minor with
// MINOR_ALLOCED in __dm_destroy. A lookup is another task's `idr_find` of that minor that returned the
// md, in that interval, followed by that task's `dm_get` of the md before its next `idr_find`. Prints
// one line per trace: the windows, and the line of each lookup's dm_get.

import { readFileSync } from 'node:fs';

const MINOR_ALLOCED = '0xffffffffffffffff';
const EVENT = /^\s*(.+)-(\d+)\s+\[\d+\]\s+\S+\s+[\d.]+:\s+([a-z_]+?)(?:_\d+)?:\s+(?:\([^)]*\)\s*)?(.*)$/;

function parse(text) {
  const events = [];
  text.split('\n').forEach((line, i) => {
    const m = EVENT.exec(line);
    if (!m) return;
    const args = Object.fromEntries([...m[4].matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((a) => [a[1], a[2].replace(/^"|"$/g, '')]));
    events.push({ line: i + 1, task: m[2], name: m[3], args });
  });
  return events;
}

export function countWindows(text) {
  const events = parse(text);
  const published = new Map(); // minor -> the md stored there
  const lastHashRelease = new Map(); // task -> index of its latest up_write of _hash_lock
  const gets = [];
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    if (e.name === 'up_write' && e.args.lock === '_hash_lock') lastHashRelease.set(e.task, k);
    if ((e.name === 'idr_alloc' || e.name === 'idr_replace') && e.args.ptr !== MINOR_ALLOCED) published.set(e.args.minor, e.args.ptr);
    if (e.name !== 'idr_replace' || e.args.ptr !== MINOR_ALLOCED) continue;
    // the unpublish of md by this task: its window runs from the task's last hash release to here
    const md = published.get(e.args.minor);
    const from = lastHashRelease.get(e.task);
    if (!md || from === undefined) continue;
    for (let f = from + 1; f < k; f++) {
      const find = events[f];
      if (find.name !== 'idr_find' || find.task === e.task || find.args.ret !== md || find.args.minor !== e.args.minor) continue;
      const get = events.slice(f + 1).find((x) => x.task === find.task && ((x.name === 'dm_get' && x.args.md === md) || x.name === 'idr_find'));
      if (get?.name === 'dm_get') gets.push(get.line);
    }
    published.delete(e.args.minor);
  }
  return gets;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const gets = countWindows(readFileSync(file, 'utf8'));
    console.log(`${file}: ${gets.length} R2 window${gets.length === 1 ? '' : 's'}${gets.length ? ` (dm_get at lines ${gets.join(', ')})` : ''}`);
  }
}
