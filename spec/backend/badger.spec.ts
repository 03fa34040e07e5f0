import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { tmpDir } from '../support/tmp.js';
import { complianceSuite } from './suite.js';

complianceSuite({
  name: 'badger',
  location: () => path.join(tmpDir('sky-badger-'), 'db'),
  open: (location, options) => SkyShelve.open(location, options),
});
