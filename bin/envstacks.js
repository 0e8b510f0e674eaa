#!/usr/bin/env node
// Thin shim so the published bin works without a TypeScript toolchain.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
