import http from 'node:http';

import { envSchema } from '../config/app-config';

/**
 * The container's HEALTHCHECK (`shop health`): exits 0 when this container's process answers `GET /health` with
 * 200. One image runs either the server (PORT) or the worker (WORKER_HEALTH_PORT), so it asks both ports on
 * 127.0.0.1 and the one that is listening decides.
 */
const ports = envSchema.pick({ PORT: true, WORKER_HEALTH_PORT: true }).parse(process.env);

function healthy(port: number): Promise<boolean> {
    return new Promise(resolve => {
        const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 4000 }, res => {
            res.resume();
            resolve(res.statusCode === 200);
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(false));
    });
}

void Promise.all([healthy(ports.PORT), healthy(ports.WORKER_HEALTH_PORT)]).then(results => {
    process.exit(results.some(Boolean) ? 0 : 1);
});
