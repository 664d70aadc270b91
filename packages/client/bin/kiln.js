#!/usr/bin/env node
// The `kiln` command: the compiled CLI in dist/ (built by `npm run build`, on install and before
// `npm pack`). This file exists in the repository so npm can link the command before the build runs.
import "../dist/cli.js";
