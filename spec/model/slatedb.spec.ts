import { SkyShelve } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { modelSuite } from './suite.js';

modelSuite('slatedb (local object store)', () => SkyShelve.open('slatedb://' + tmpDir('sky-model-slate-')));
after(cleanupTmp);
