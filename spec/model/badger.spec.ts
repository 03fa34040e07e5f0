import path from 'node:path';
import { SkyShelve } from '../../src/index.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';
import { modelSuite } from './suite.js';

modelSuite('badger', () => SkyShelve.open(path.join(tmpDir('sky-model-'), 'db')));
after(cleanupTmp);
