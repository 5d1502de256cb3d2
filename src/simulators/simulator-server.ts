import http from 'node:http';
import { AddressInfo } from 'node:net';

import express from 'express';

import { PostexSimulator } from './postex.simulator';
import { SmsirSimulator } from './smsir.simulator';
import { Fault } from './fault-injector';
import { ZibalSimulator } from './zibal.simulator';

export type SimulatedProvider = 'zibal' | 'zibal-api' | 'smsir' | 'postex';

/**
 * One HTTP server hosting the Zibal, SMS.ir and Postex simulators under `/zibal`, `/zibal-api`, `/smsir` and
 * `/postex/api/v1`. Tests drive it in-process (`sim.zibal.pay(...)`, `sim.zibal.faults.arm(...)`) or over HTTP
 * through `/__control` (`POST /__control/fault`, `GET /__control/calls`, `POST /__control/release` (held calls
 * go on), `GET /__control/postex/parcels`, `POST /__control/reset`).
 */
export class ProviderSimulators {
    readonly zibal = new ZibalSimulator();
    readonly smsir = new SmsirSimulator();
    readonly postex = new PostexSimulator();
    private server: http.Server | undefined;
    baseUrl = '';

    app(): express.Express {
        const app = express();
        app.disable('x-powered-by');
        app.use('/zibal', this.zibal.router());
        app.use('/zibal-api', this.zibal.platformRouter());
        app.use('/smsir', this.smsir.router());
        app.use('/postex/api/v1', this.postex.router());
        app.post('/__control/fault', express.json(), (req, res) => {
            const { provider, path, fault, times } = req.body as {
                provider: SimulatedProvider;
                path: string;
                fault: Fault;
                times?: number;
            };
            this.injectorFor(provider).arm(path, fault, times ?? 1);
            res.json({ ok: true });
        });
        app.get('/__control/calls', (req, res) => {
            const provider = req.query.provider as SimulatedProvider;
            const path = typeof req.query.path === 'string' ? req.query.path : undefined;
            res.json(this.injectorFor(provider).callsTo(path));
        });
        app.post('/__control/release', express.json(), (req, res) => {
            this.injectorFor((req.body as { provider: SimulatedProvider }).provider).release();
            res.json({ ok: true });
        });
        app.get('/__control/postex/parcels', (req, res) => {
            const no = typeof req.query.customOrderNo === 'string' ? req.query.customOrderNo : undefined;
            res.json(no ? this.postex.parcelsForOrder(no) : [...this.postex.parcels.values()]);
        });
        app.post('/__control/reset', (_req, res) => {
            this.reset();
            res.json({ ok: true });
        });
        app.get('/health', (_req, res) => res.json({ status: 'ok' }));
        return app;
    }

    async listen(port = 0, host = '127.0.0.1'): Promise<string> {
        this.server = http.createServer(this.app());
        await new Promise<void>((resolve, reject) => {
            this.server!.once('error', reject);
            this.server!.listen(port, host, () => resolve());
        });
        const address = this.server.address() as AddressInfo;
        this.baseUrl = `http://${host}:${address.port}`;
        return this.baseUrl;
    }

    async close(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (server) {
            server.closeAllConnections();
            await new Promise<void>(resolve => server.close(() => resolve()));
        }
    }

    reset(): void {
        this.zibal.reset();
        this.smsir.reset();
        this.postex.reset();
    }

    private injectorFor(provider: SimulatedProvider) {
        switch (provider) {
            case 'smsir':
                return this.smsir.faults;
            case 'postex':
                return this.postex.faults;
            default:
                return this.zibal.faults;
        }
    }
}
