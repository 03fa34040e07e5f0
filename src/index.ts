/** skyshelve: a persistent, dictionary-shaped key-value store with typed, validated models. */
export { SkyShelve, BadgerDict, type BatchOp } from './store.js';
export { SkyshelveError, isSkyshelveError, type ErrorCode } from './errors.js';
export type { SkyShelveOptions, BadgerTuning } from './options.js';
export type { RangeOptions } from './range.js';
export type { KeyPart } from './codec/keys.js'; // Key (type and decorator) comes from ./model
export type { Backend, Capabilities, RawCheck, RawOp, RawRange, RawEntry, RawCursor, RawIndexChunk, RawIndexHit } from './backend/backend.js';
export { slatedbUri, slatedbUriFromEnv } from './backend/slatedb-uri.js';
export * from './model/index.js';
