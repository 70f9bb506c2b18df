// Entry of the tests that run inside VS Code's extension host (extensionTestsPath):
// VS Code calls run() once the extension under test is loaded. Each *.test.js
// bundle next to this file is one suite.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs } from '../tempDir';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  const only = process.env.DM_RACE_LENS_GREP;
  if (only) mocha.grep(only);
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      removeTempDirs();
      if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
  });
}
