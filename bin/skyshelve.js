#!/usr/bin/env node
// The `skyshelve` command. The CLI is TypeScript compiled to dist/ (npm install runs the build).
import { run } from '../dist/src/cli/main.js';

await run();
