import { parseArgs } from 'node:util';
import { mintDevToken } from '../auth/dev-token.service.js';
import { loadDotEnv, validateEnv } from '../config/env.schema.js';
import { runCli } from './with-database.js';
/** `npm run token -- --sub alice --roles admin[,other] [--email a@b.c]`: prints a dev bearer token. */
runCli(async () => {
    const { values } = parseArgs({
        options: { sub: { type: 'string' }, roles: { type: 'string' }, email: { type: 'string' } },
        strict: true,
    });
    loadDotEnv();
    const env = validateEnv(process.env);
    if (env.AUTH_MODE !== 'dev')
        throw new Error('npm run token mints dev tokens; AUTH_MODE is not dev');
    if (!values.sub)
        throw new Error('usage: npm run token -- --sub <user id> [--roles admin,...] [--email <email>]');
    const roles = values.roles
        ? values.roles
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean)
        : [];
    const token = mintDevToken(env.JWT_SECRET, { sub: values.sub, roles, email: values.email }, env.DEV_TOKEN_TTL_SECONDS, env.JWT_AUDIENCE, env.JWT_ISSUER);
    process.stdout.write(`${token}\n`);
});
//# sourceMappingURL=token.js.map