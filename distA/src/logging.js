import { randomUUID } from 'node:crypto';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Fields redacted from every log line, at the top level of a log call's object or one level down. */
const SENSITIVE_KEYS = [
    'authorization',
    'password',
    'cardNumber',
    'card',
    'cvc',
    'guestEmail',
    'guestPhone',
    'email',
    'phone',
    'clientSecret',
    'paymentClientSecret',
];
/**
 * Paths pino must never write: credentials, card data, and guests' contact details.
 * Request and response bodies are not logged at all; these cover headers and any
 * object a log call passes. A bare key matches only the top level and `*.key` only
 * one level down, so both are listed.
 */
export const REDACTED_PATHS = [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["stripe-signature"]',
    'res.headers["set-cookie"]',
    ...SENSITIVE_KEYS,
    ...SENSITIVE_KEYS.map((key) => `*.${key}`),
    // A QueryFailedError carries the statement's bound values: guest data, often.
    'err.parameters',
];
/** Structured JSON request logs, with the request id taken from X-Request-Id or made up. */
export function loggerParams(config) {
    return {
        pinoHttp: {
            level: config.LOG_LEVEL,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            genReqId: (req, res) => {
                const incoming = req.headers['x-request-id'];
                const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
                res.setHeader('X-Request-Id', id);
                return id;
            },
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
            // Probes and scrapes arrive every few seconds; their failures show in Kubernetes and Prometheus (`up`).
            autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? '') },
            serializers: {
                req: (req) => ({ id: req.id, method: req.method, url: req.url }),
            },
            ...(config.LOG_PRETTY ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
        },
    };
}
//# sourceMappingURL=logging.js.map