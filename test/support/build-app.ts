import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = process.cwd(); // jest runs from the repository root

/**
 * Builds the app exactly as `npm run build` does (tsc, then tsc-alias), but into a folder
 * of the test's own under .data/, never into dist/: other test files, `npm start` or
 * `npm run token` may be rebuilding dist/ at the same moment. The entry point is then
 * `<dir>/src/main.js`; the caller removes the folder when done.
 */
export function buildAppInto(dir: string): void {
  for (const tool of ['tsc', 'tsc-alias']) {
    try {
      execFileSync(join(ROOT, 'node_modules/.bin', tool), ['-p', 'tsconfig.build.json', '--outDir', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`the build (${tool}) failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
  }
}
