import { SkyShelve } from '../../src/index.js';
import { tmpDir } from '../support/tmp.js';
import { complianceSuite } from './suite.js';

complianceSuite({
  name: 'slatedb (local object store)',
  location: () => 'slatedb://' + tmpDir('sky-slate-'),
  open: (location, options) => SkyShelve.open(location, options),
});
