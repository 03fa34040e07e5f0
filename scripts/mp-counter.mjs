// The counter model the multi-process probes update: a plain PersistentObject with one number.
const { PersistentObject } = await import(new URL('../dist/src/index.js', import.meta.url).href);

export class Counter extends PersistentObject {
  constructor(key, value = 0) {
    super(key);
    this.value = value;
  }
  toRecord() {
    return { value: this.value };
  }
  static fromRecord(key, r) {
    return new Counter(key, r.value);
  }
}
