#!/usr/bin/env node
// The `omnigen` command. Only this entry (and program.ts) imports commander and Node's modules beyond
// what the library needs: the library itself stays browser-safe.
import { main } from './program.ts';

process.exitCode = await main(process.argv);
