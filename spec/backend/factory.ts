import type { SkyShelve, SkyShelveOptions } from '../../src/index.js';

/** How the compliance suite makes stores of one backend: a fresh location, and opening it. */
export interface StoreFactory {
  /** Shown in test titles. */
  readonly name: string;
  /** A new, empty location string for this backend. */
  location(): string;
  /** Opens (or reopens) a store at `location`. */
  open(location: string, options?: SkyShelveOptions<any>): Promise<SkyShelve<any>>;
}
