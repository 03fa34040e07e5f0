/** The decorators: they only record metadata; the model layer reads it on first use. */
export { Persistent } from './persistent.js';
export { Key } from './key.js';
export { Index, type IndexOptions, type IndexDecorator } from './index-decorator.js';
export { resetMetadata, type PersistentOptions, type Extractor } from './metadata.js';
