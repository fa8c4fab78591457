import type { NextFunction, Request, Response } from 'express';
import { AppError, type ErrorDetail } from './app-error';

/**
 * How deep a request's JSON may nest, the body itself being level 1. Deeper input is
 * refused before anything walks it: class-transformer, the idempotency hash, even
 * `JSON.stringify`, all recurse, and 5,000 nested arrays (10 KB) overflow the stack.
 */
export const MAX_INPUT_DEPTH = 32;

/** At most this many problems are listed in `details`; the walk stops there. */
const MAX_REPORTED = 20;

/** A NUL as the client can read it in a field name (the raw character never goes back out). */
const visible = (text: string): string => text.replaceAll('\u0000', '\\u0000');

/**
 * The rules every string a client sends obeys, whatever DTO (if any) reads it: no NUL
 * character (PostgreSQL refuses it in `text` and `jsonb`, so it would otherwise be a
 * 500), in values and in object keys, at any depth; and no nesting deeper than
 * `maxDepth`. Returns the problems found, named by path (`items.0.sku`), none when the
 * input is clean. It recurses at most `maxDepth` levels, so it is safe on any input.
 */
export function findHostileInput(value: unknown, path = '', maxDepth = MAX_INPUT_DEPTH): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const visit = (node: unknown, at: string, depth: number): void => {
    if (problems.length >= MAX_REPORTED) return;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) problems.push({ field: at, message: `${at || 'value'} must not contain a NUL character` });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth > maxDepth) {
      problems.push({ field: at, message: `${at || 'the body'} is nested more than ${maxDepth} levels deep` });
      return;
    }
    const prefix = at ? `${at}.` : '';
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${prefix}${index}`, depth + 1));
      return;
    }
    for (const [key, item] of Object.entries(node)) {
      if (key.includes('\u0000')) {
        problems.push({ field: at, message: `${at || 'the body'} has a key with a NUL character ("${visible(key)}")` });
        continue;
      }
      visit(item, `${prefix}${key}`, depth + 1);
    }
  };
  visit(value, path, 1);
  return problems;
}

/** True when `value` nests more than `maxDepth` levels (itself being level 1); recurses at most that far. */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const visit = (node: unknown, depth: number): boolean => {
    if (node === null || typeof node !== 'object') return false;
    if (depth > maxDepth) return true;
    return Object.values(node).some((child) => visit(child, depth + 1));
  };
  return visit(value, 1);
}

/** Throws VALIDATION_FAILED listing what `findHostileInput` finds. */
export function assertCleanInput(value: unknown, path = ''): void {
  const problems = findHostileInput(value, path);
  if (problems.length) throw new AppError('VALIDATION_FAILED', 'The request is not valid', problems);
}

/**
 * Express middleware, mounted right after the body parsers and before any guard,
 * interceptor or logger looks at the request: refuses a body or query string that
 * breaks the rules of `findHostileInput`. (The validation pipe applies them again, to
 * route parameters and to whatever reaches a handler by another way.)
 */
export function rejectHostileInput(req: Request, _res: Response, next: NextFunction): void {
  const problems = [...findHostileInput(req.body as unknown), ...findHostileInput(req.query as unknown)];
  next(problems.length ? new AppError('VALIDATION_FAILED', 'The request is not valid', problems) : undefined);
}
