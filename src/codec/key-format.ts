/** Types and constants of the key format, shared by the key encoder and decoder (see docs/FORMAT.md). */

/** One element of a key: a string, a number or bytes. */
export type KeyPart = string | number | Uint8Array;
/** A key: a scalar or a flat tuple (array) of scalars. */
export type Key = KeyPart | readonly KeyPart[];

/** The largest encoded key, in bytes: Badger's own limit, applied to every backend. */
export const MAX_KEY_BYTES = 65000;

/** First byte of each encoded element; the numeric order of the tags is the order across kinds. */
export const KeyTag = { END: 0x00, NUMBER: 0x10, STRING: 0x20, BYTES: 0x30, TUPLE: 0x40, INTERNAL: 0xfe } as const;

/** The smallest byte a string element holds as it is: 0x00 and 0x01 are escaped (docs/FORMAT.md). */
export const FIRST_PLAIN_STRING_BYTE = 0x02;

/** User keys start below this byte; 0xF0-0xFF is reserved for skyshelve's own records. */
export const INTERNAL_AREA_START = 0xf0;
