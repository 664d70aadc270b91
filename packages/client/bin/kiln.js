#!/usr/bin/env node
// The `kiln` command. The package ships TypeScript sources, so tsx compiles them on the fly.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
