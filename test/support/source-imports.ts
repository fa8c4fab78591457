import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import of a source file, resolved to a file of the repository when it is ours. */
export interface SourceImport {
  /** As written: `../catalog/catalog.service`, `@holdfast/errors`, `typeorm`. */
  specifier: string;
  /** The imported file relative to the repository root (`src/catalog/catalog.service.ts`), or null for a package. */
  target: string | null;
}

const LIB_ALIAS = /^@holdfast\/([a-z-]+)$/;

/**
 * Every import of a TypeScript file, read by the compiler's own scanner (so comments and
 * strings are not mistaken for imports): `import`, `import type`, `export ... from`,
 * side-effect imports, `import()` calls and `import('...')` types alike.
 */
export function importsOf(root: string, file: string): SourceImport[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map(({ fileName: specifier }) => ({ specifier, target: resolveImport(root, file, specifier) }));
}

function resolveImport(root: string, file: string, specifier: string): string | null {
  const alias = LIB_ALIAS.exec(specifier);
  if (alias) return `libs/${alias[1]}/src/index.ts`;
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(file), specifier.replace(/\.js$/, ''));
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((path) => path.endsWith('.ts') && existsSync(path)) ?? `${base}.ts`;
  return relative(root, found);
}
