#!/usr/bin/env node
// The operator's command line (`npx sightline --help`); the code lives in src/cli/.
import '../dist/cli/main.js';
