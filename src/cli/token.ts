import { parseArgs } from 'node:util';
import { mintDevToken } from '../auth/dev-token.service';
import { loadDotEnv, validateEnv } from '../config/env.schema';
import { runCli } from './with-database';

/**
 * `npm run token -- --sub alice --roles admin[,other] [--email a@b.c] [--scope "a/b c/d"]`:
 * prints a dev bearer token (`--scope` as a Cognito machine client's space-delimited scopes).
 */
runCli(async () => {
  const { values } = parseArgs({
    options: { sub: { type: 'string' }, roles: { type: 'string' }, email: { type: 'string' }, scope: { type: 'string' } },
    strict: true,
  });
  loadDotEnv();
  const env = validateEnv(process.env);
  if (env.AUTH_MODE !== 'dev') throw new Error('npm run token mints dev tokens; AUTH_MODE is not dev');
  if (!values.sub) throw new Error('usage: npm run token -- --sub <user id> [--roles admin,...] [--email <email>] [--scope "<scope> ..."]');
  const roles = values.roles
    ? values.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : [];
  const scopes = (values.scope ?? '').split(/[\s,]+/).filter(Boolean);
  const token = mintDevToken(
    env.JWT_SECRET,
    { sub: values.sub, roles, email: values.email, scopes },
    env.DEV_TOKEN_TTL_SECONDS,
    env.JWT_AUDIENCE,
    env.JWT_ISSUER,
  );
  process.stdout.write(`${token}\n`);
});
