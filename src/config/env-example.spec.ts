import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import { ENV_KEYS, EnvironmentVariables, validateEnv } from './env.schema';

/** `NAME=value` lines of .env.example (comments and blank lines skipped), in order. */
function exampleEntries(): [string, string][] {
  return readFileSync('.env.example', 'utf8') // jest runs from the repository root
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

describe('.env.example', () => {
  it('lists exactly the variables validateEnv reads, each once', () => {
    const names = exampleEntries().map(([name]) => name);
    expect([...names].sort()).toEqual([...ENV_KEYS].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('names every validated property of EnvironmentVariables in ENV_KEYS', () => {
    const validated = getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((m) => m.propertyName);
    expect([...new Set(validated)].sort()).toEqual([...ENV_KEYS].sort());
  });

  it('is valid configuration as it stands (a copied .env.example boots)', () => {
    expect(() => validateEnv(Object.fromEntries(exampleEntries()))).not.toThrow();
  });
});
