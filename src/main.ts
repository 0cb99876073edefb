// Entry point of the operator image: `node dist/main.js [flags]`.
import { runOperatorProcess } from './operator/process.ts';

process.exitCode = await runOperatorProcess(process.argv.slice(2), process.env);
