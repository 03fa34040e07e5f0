/**
 * Which namespaces of an open store keep a unique slot for every unique index value (layout.ts,
 * docs/FORMAT.md "Unique slots"). Their saves trust the slots alone; other namespaces (written by
 * a version without slots, until reindex) also scan the index entries for an owner.
 */
import type { Backend } from '../backend/backend.js';

const slotted = new WeakMap<Backend, Set<string>>();

/** Records that `ns` in `backend` has complete unique slots (its stored definitions say so). */
export function markSlotted(backend: Backend, ns: string): void {
  let set = slotted.get(backend);
  if (!set) slotted.set(backend, (set = new Set()));
  set.add(ns);
}

/** True when `ns` in `backend` is known to have complete unique slots. */
export function isSlotted(backend: Backend, ns: string): boolean {
  return slotted.get(backend)?.has(ns) === true;
}
